import { join } from 'node:path';
import { HOST, PORTS, repoRoot, runDir } from './paths';
import type { ServiceDef } from './service';

export const s3Endpoint = `http://${HOST}:${PORTS.s3}`;
/** s3rver's fixed credentials; it checks signatures, so clients must use exactly these. */
export const s3Credentials = { region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export const s3: ServiceDef = {
  name: 's3',
  startTimeoutMs: 20_000,

  // s3rver is an npm devDependency, so `npm ci` has already fetched it.
  async install() {},

  async command() {
    return {
      command: process.execPath,
      // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its
      // legacy provider: without it every listing past 1000 keys fails with a 500.
      args: ['--openssl-legacy-provider', '--import', 'tsx', join(repoRoot, 'infra/services/s3rver-main.ts'),
        '--port', String(PORTS.s3), '--directory', join(runDir('s3'), 's3')],
      cwd: repoRoot, // so `--import tsx` resolves from the clone's node_modules
    };
  },

  async healthy() {
    const res = await fetch(`${s3Endpoint}/`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status < 500;
  },
};
