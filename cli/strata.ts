/**
 * The `strata` command.
 *   strata start                  every role in one process, on the embedded adapters (the default)
 *   strata api | stream | worker  one distributed role, on Kafka, ClickHouse, Redis, S3 and Temporal
 *   strata backfill …             starts a backfill on a running system and follows it
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, type Role, loadConfig } from '../infra/config';
import { runBackfill } from './backfill';
import { startDemo } from './demo';
import { startSystem } from './system';

const USAGE = `usage: strata <command>

commands:
  start     run everything in one process on the embedded defaults (no external service);
            --demo adds a built-in traffic generator, for a live dashboard at once
  api       run the HTTP API (distributed: needs STRATA_CLICKHOUSE_URL, STRATA_KAFKA_BROKERS, STRATA_REDIS_URL)
  stream    run the speed layer (distributed: needs STRATA_CLICKHOUSE_URL, STRATA_KAFKA_BROKERS)
  worker    run the Temporal worker (distributed: needs STRATA_CLICKHOUSE_URL, STRATA_TEMPORAL_ADDRESS)
  backfill  recompute hours on a running Strata: --from <time> --to <time> [--tenant <name>] [--url <api>]

Settings come from STRATA_* environment variables, or a JSON file named by STRATA_CONFIG.`;

const ROLES: Record<string, Role> = { start: 'embedded', api: 'api', stream: 'stream', worker: 'worker' };

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'backfill') return runBackfill(argv.slice(1));
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, demo: { type: 'boolean' } } });
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const role = ROLES[command];
  if (!role) {
    console.error(`strata: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(role);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`strata: invalid configuration: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const logger = pino({ level: config.LOG_LEVEL, base: { role } });
  const system = await startSystem(config, logger);
  if (role === 'api' || role === 'embedded') logger.info({ url: system.url }, `dashboard at ${system.url}/`);
  const demo = values.demo ? await startDemo(system.url, logger) : undefined;
  await new Promise<void>((done) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'stopping');
      done();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await demo?.stop();
  await system.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('strata: failed to start:', err);
    process.exit(1);
  },
);
