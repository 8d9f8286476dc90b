/**
 * Local copies of archive objects: DuckDB reads local files (its httpfs extension cannot be
 * downloaded here). A file listed in the manifest but gone (compacted meanwhile) is skipped.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '../../infra/objectstore/objectstore';

/** Fetches `keys` into `dir` as `<prefix><index>.parquet`, returning the paths written. */
export async function fetchAll(objects: ObjectStore, keys: string[], dir: string, prefix: string): Promise<string[]> {
  const paths: string[] = [];
  for (const [i, key] of keys.entries()) {
    const body = await objects.get(key);
    if (!body) continue;
    const path = join(dir, `${prefix}${i}.parquet`);
    await writeFile(path, body);
    paths.push(path);
  }
  return paths;
}
