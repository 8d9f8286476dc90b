/**
 * Runs s3rver (a real S3 protocol server over the filesystem) as its own process, so it can be
 * started and stopped like the other services: `node s3rver-main.ts --port N --directory DIR`.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
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

// s3rver ships CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)('s3rver') as new (opts: S3rverOptions) => S3rverServer;

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
