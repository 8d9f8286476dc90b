/**
 * Local copies of objects, for engines that read local files: DuckDB reads the archive this way
 * (its httpfs extension cannot be downloaded here).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from './objectstore';

export interface Fetched {
  read: { key: string; path: string }[];
  /** Listed in the manifest but not in object storage (compacted and deleted meanwhile). */
  missing: string[];
}

/** Fetches `keys` into `dir` as `<prefix><index>.parquet`. */
export async function fetchAll(objects: ObjectStore, keys: readonly string[], dir: string, prefix: string): Promise<Fetched> {
  const fetched: Fetched = { read: [], missing: [] };
  for (const [i, key] of keys.entries()) {
    const body = await objects.get(key);
    if (!body) {
      fetched.missing.push(key);
      continue;
    }
    const path = join(dir, `${prefix}${i}.parquet`);
    await writeFile(path, body);
    fetched.read.push({ key, path });
  }
  return fetched;
}
