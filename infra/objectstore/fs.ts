import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { replaceFileAtomically, syncDirectory } from '../durable-fs';
import path from 'node:path';
import type { ObjectStore } from './objectstore';

export interface FsObjectStoreOptions {
  /** Directory that holds the objects; created on first write. */
  root: string;
}

// Temp files live beside their target so the final rename stays on one filesystem (atomic).
// Keys may not contain this marker, so list() can skip leftovers of a crash without ambiguity.
const TEMP_MARKER = '.strata-tmp-';

/**
 * An object store over a local directory: key `a/b/c` is the file `<root>/a/b/c`.
 *
 * Writes are atomic and durable: a temp file is written and fsync'd, renamed over the target and
 * the directory fsync'd, so a crash leaves either the old object or the new one, never a torn one.
 * Unlike S3, a key cannot also be a "directory" of other keys (`a` and `a/b` cannot both exist),
 * and deleting a key leaves its (possibly empty) directories behind.
 */
export function createFsObjectStore(options: FsObjectStoreOptions): ObjectStore {
  const root = path.resolve(options.root);

  return {
    async put(key, body) {
      const file = resolveKey(root, key);
      const dir = path.dirname(file);
      await mkdir(dir, { recursive: true });
      const temp = path.join(dir, `${TEMP_MARKER}${randomBytes(8).toString('hex')}`);
      await replaceFileAtomically(file, temp, body, false);
      // The rename is durable once the directory is synced, and a directory that this put (or a
      // concurrent one still in flight) created is durable only once its parent is synced too.
      for (let d = dir; ; d = path.dirname(d)) {
        await syncDirectory(d);
        if (d === root || d === path.dirname(d)) break;
      }
    },

    async get(key) {
      try {
        return await readFile(resolveKey(root, key));
      } catch (err) {
        // EISDIR/ENOTDIR: the key names a "directory" of other keys, which is not an object.
        if (hasCode(err, 'ENOENT', 'EISDIR', 'ENOTDIR')) return undefined;
        throw err;
      }
    },

    async list(prefix) {
      if (prefix !== '') checkKey(prefix, { allowTrailingSlash: true });
      // Walk only the deepest directory that the prefix fully names; the rest is a string filter.
      const dirPart = prefix.slice(0, prefix.lastIndexOf('/') + 1);
      const keys: string[] = [];
      await walk(path.join(root, dirPart), dirPart, prefix, keys);
      return sortKeys(keys);
    },

    async delete(key) {
      const file = resolveKey(root, key);
      try {
        await unlink(file);
      } catch (err) {
        if (hasCode(err, 'ENOENT', 'ENOTDIR')) return;
        throw err;
      }
      await syncDirectory(path.dirname(file));
    },

    async close() {},
  };
}

async function walk(dir: string, keyDir: string, prefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (hasCode(err, 'ENOENT', 'ENOTDIR')) return;
    throw err;
  }
  for (const entry of entries) {
    const key = keyDir + entry.name;
    if (entry.isDirectory()) {
      // Skip subtrees that cannot match: neither a prefix of the prefix nor under it.
      const sub = `${key}/`;
      if (sub.startsWith(prefix) || prefix.startsWith(sub)) {
        await walk(path.join(dir, entry.name), sub, prefix, out);
      }
    } else if (entry.isFile() && !entry.name.startsWith(TEMP_MARKER) && key.startsWith(prefix)) {
      out.push(key);
    }
  }
}

/** Sorts like S3 does: by the keys' UTF-8 bytes (JS string order differs above U+FFFF). */
function sortKeys(keys: string[]): string[] {
  return keys
    .map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((k) => k.key);
}

function resolveKey(root: string, key: string): string {
  checkKey(key, { allowTrailingSlash: false });
  return path.join(root, key);
}

/** Rejects keys that could escape the root or that have no file to map to. */
function checkKey(key: string, { allowTrailingSlash }: { allowTrailingSlash: boolean }): void {
  const bad = (why: string) => new Error(`object key ${JSON.stringify(key)} is invalid: ${why}`);
  if (key === '') throw bad('it is empty');
  if (key.includes('\0')) throw bad('it contains a NUL character');
  if (key.startsWith('/') || path.isAbsolute(key)) throw bad('it is an absolute path');
  if (key.includes('\\')) throw bad('it contains a backslash');
  if (key.includes(TEMP_MARKER)) throw bad(`it contains the reserved marker ${TEMP_MARKER}`);
  const segments = key.split('/');
  if (allowTrailingSlash && segments.at(-1) === '') segments.pop();
  for (const segment of segments) {
    if (segment === '..' || segment === '.') throw bad(`it contains a "${segment}" segment`);
    if (segment === '') throw bad('it contains an empty path segment');
  }
}

function hasCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}
