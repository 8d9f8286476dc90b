/**
 * A STAND-IN FOR THE CLICKHOUSE SERVER PROCESS, not ClickHouse itself.
 *
 * No clickhouse-server binary can be had on a bare machine here, so the distributed mode's
 * `@clickhouse/client` adapter talks to this small `node:http` server instead. The SQL engine
 * behind it is the real one (ClickHouse through chdb, in this process), but the HTTP layer is ours
 * and speaks only the subset Strata uses: /ping, the query in the URL and/or body, FORMAT,
 * database, default_format, param_*, settings, query_id with KILL QUERY and client cancellation,
 * max_execution_time, JSONEachRow and Parquet insert bodies (plain and via input()), gzip, and
 * ClickHouse's error text. See README.md beside this file for what it does not do. Against the real
 * clickhouse-server, the adapter runs in docker-compose.yml.
 *
 * Usage: node --import tsx infra/services/clickhouse-standin/main.ts --port 18123 --host 127.0.0.1 --path <datadir>
 * Set UV_THREADPOOL_SIZE (e.g. 8) in its environment for more than 3 queries at once: each running
 * query holds a libuv pool thread, and the pool size cannot be changed once the process runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openChdbEngine } from '../../olap/chdb-engine';
import { createStandinServer } from './server';

const log = (line: string): void => console.log(`${new Date().toISOString()} clickhouse-standin ${line}`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8123' }, host: { type: 'string', default: '127.0.0.1' }, path: { type: 'string' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`"--port" has invalid value "${values.port}": expected 1-65535`);
  if (!values.path) throw new Error('"--path" is required: the chdb data directory');

  const engine = openChdbEngine(values.path);
  const names = (await engine.run('SELECT name FROM system.settings', { format: 'TabSeparated' })).text();
  const knownSettings = new Set(names.split('\n').filter(Boolean));
  const version = (await engine.run('SELECT version()')).text().trim();
  const tmpDir = mkdtempSync(join(tmpdir(), 'strata-clickhouse-standin-'));

  const server = createStandinServer({ engine, tmpDir, knownSettings, log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, values.host, resolve);
  });
  log(`listening on http://${values.host}:${port} (ClickHouse ${version} via chdb, data ${engine.path}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'})`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    server.close();
    server.closeAllConnections(); // their queries are killed as their responses close
    await engine.release();
    rmSync(tmpDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
