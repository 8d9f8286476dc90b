import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { objectStoreContract } from './contract';
import { createFsObjectStore } from './fs';

const roots: string[] = [];
async function freshRoot(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'strata-fs-store-'));
  roots.push(root);
  return root;
}
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

objectStoreContract('fs', async () => createFsObjectStore({ root: await freshRoot() }));

describe('fs object store', () => {
  it('rejects keys that could escape the root or map to no file', async () => {
    const store = createFsObjectStore({ root: await freshRoot() });
    const body = Buffer.from('x');
    for (const key of ['../escape', 'a/../../b', '/etc/passwd', 'a\0b', '', 'a//b', 'a/./b', 'dir/']) {
      await expect(store.put(key, body), key).rejects.toThrow(/object key .* is invalid/);
      await expect(store.get(key), key).rejects.toThrow(/object key .* is invalid/);
    }
    await expect(store.list('../')).rejects.toThrow(/is invalid: it contains a "\.\." segment/);
  });

  it('leaves no temp files behind and ignores stray ones from a crash', async () => {
    const root = await freshRoot();
    const store = createFsObjectStore({ root });
    await store.put('raw/hour=05/a.parquet', Buffer.from('a'));
    expect(await readdir(path.join(root, 'raw/hour=05'))).toEqual(['a.parquet']);

    // What a crash between write and rename leaves: a temp file beside the target.
    await writeFile(path.join(root, 'raw/hour=05/.strata-tmp-deadbeef'), 'torn');
    await mkdir(path.join(root, 'raw/empty-dir'));
    expect(await store.list('raw/')).toEqual(['raw/hour=05/a.parquet']);
    expect(await store.list('')).toEqual(['raw/hour=05/a.parquet']);
  });

  it('treats a "directory" of other keys as no object', async () => {
    const store = createFsObjectStore({ root: await freshRoot() });
    await store.put('raw/tenant=t1/x', Buffer.from('x'));
    expect(await store.get('raw/tenant=t1')).toBeUndefined();
    expect(await store.get('raw/tenant=t1/x/y')).toBeUndefined();
  });

  it('sorts keys by UTF-8 bytes, as S3 does', async () => {
    const store = createFsObjectStore({ root: await freshRoot() });
    // U+FF5E sorts before U+1F600 in UTF-8 but after its surrogate pair in JS string order.
    const keys = ['k/\u{1F600}', 'k/\uFF5E', 'k/z'];
    for (const key of keys) await store.put(key, Buffer.from(key));
    expect(await store.list('k/')).toEqual(['k/z', 'k/\uFF5E', 'k/\u{1F600}']);
  });
});
