import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, PORTS, repoRoot, runDir } from './paths';
import type { ServiceDef } from './service';

export const clickhouseUrl = `http://${HOST}:${PORTS.clickhouse}`;

/**
 * No clickhouse-server binary can be had on a bare machine, so this starts our HTTP stand-in over
 * chdb (the real engine, in-process). Against the real server the adapter runs in docker-compose.
 */
const standinMain = (): string => join(repoRoot, 'infra/services/clickhouse-standin/main.ts');

export const clickhouse: ServiceDef = {
  name: 'clickhouse',
  startTimeoutMs: 60_000,

  // chdb comes with `npm ci`; only the stand-in's source must be in the clone.
  async install() {
    if (!existsSync(standinMain())) {
      throw new Error(`clickhouse: the ClickHouse stand-in is unavailable (${standinMain()} does not exist)`);
    }
  },

  async command() {
    return {
      command: process.execPath,
      args: ['--import', 'tsx', standinMain(), '--port', String(PORTS.clickhouse), '--path', join(runDir('clickhouse'), 'chdata')],
      cwd: repoRoot, // so `--import tsx` resolves from the clone's node_modules
      // Each running chdb query holds a libuv worker thread; the default 4 starves concurrent queries.
      env: { UV_THREADPOOL_SIZE: '8' },
    };
  },

  async healthy() {
    const res = await fetch(`${clickhouseUrl}/ping`, { signal: AbortSignal.timeout(2_000) });
    return res.status === 200 && (await res.text()) === 'Ok.\n';
  },
};
