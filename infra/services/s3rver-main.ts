/**
 * Runs s3rver (a real S3 protocol server over the filesystem) as its own process, so it can be
 * started and stopped like the other services: `node s3rver-main.ts --port N --directory DIR`.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { randomUUID, createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';

interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  // Path-style only: virtual-host buckets would need wildcard DNS on loopback.
  vhostBuckets: boolean;
}
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

interface StoredObject { bucket: string; key: string; content: Buffer | Readable; metadata: Record<string, string> }
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

// s3rver ships CommonJS without type declarations.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (opts: S3rverOptions) => S3rverServer;
const store = (require('s3rver/lib/stores/filesystem') as { prototype: FilesystemStore }).prototype;

/*
 * s3rver truncates the object file and streams into it in place, and answers before the bytes are
 * written. Racing puts to one key then interleave, and a reader can see half a body. S3 promises
 * that a put is atomic and that the last one wins, and the archive relies on it (a replayed
 * partition rewrites the same file name). So each body goes to a temporary file that is synced
 * and renamed over the object: the stand-in keeps S3's promise.
 */
store.putObject = async function putObjectAtomically(this: FilesystemStore, object: StoredObject) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  const temporary = `${objectPath}.${randomUUID()}.partial`;
  await mkdir(dirname(objectPath), { recursive: true });
  const md5 = createHash('md5');
  let size = 0;
  const file = await open(temporary, 'w');
  try {
    const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(object.content) ? [object.content] : object.content;
    for await (const chunk of chunks) {
      md5.update(chunk);
      size += chunk.length;
      await file.write(chunk);
    }
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(temporary, { force: true });
    throw err;
  }
  await file.close();
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  await rename(temporary, objectPath);
  return { size, md5: digest };
};

const { values } = parseArgs({
  options: {
    address: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '14569' },
    directory: { type: 'string' },
  },
});
if (!values.directory) throw new Error('s3rver-main: --directory is required');
mkdirSync(values.directory, { recursive: true });

const server = new S3rver({
  address: values.address, port: Number(values.port), directory: values.directory, silent: true, vhostBuckets: false,
});
const addr = await server.run();
console.log(`s3rver listening on http://${addr.address}:${addr.port} (directory ${values.directory})`);

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  });
}
