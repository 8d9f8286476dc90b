/**
 * Starts Strata's distributed roles on the real services, each run on its own topic, database and
 * bucket: for benchmarks and the tests that need separate processes.
 */
import { randomBytes } from 'node:crypto';
import type { ServiceEndpoints } from '../infra/services/index';
import { freePort, startNode, type Running } from './processes';

/** The environment of one distributed run; `run` (lowercase letters and digits) names its topic, database and bucket. */
export function distributedEnv(services: ServiceEndpoints, run = randomBytes(4).toString('hex')): NodeJS.ProcessEnv {
  return {
    STRATA_KAFKA_BROKERS: services.kafkaBrokers.join(','),
    STRATA_KAFKA_TOPIC: `events-${run}`,
    STRATA_CLICKHOUSE_URL: services.clickhouseUrl,
    STRATA_CLICKHOUSE_DATABASE: `strata_${run}`,
    STRATA_REDIS_URL: services.redisUrl,
    STRATA_S3_ENDPOINT: services.s3Endpoint,
    STRATA_S3_BUCKET: `strata-${run}`,
    STRATA_S3_REGION: services.s3Region,
    STRATA_S3_FORCE_PATH_STYLE: 'true',
    STRATA_S3_ACCESS_KEY_ID: services.s3AccessKeyId,
    STRATA_S3_SECRET_ACCESS_KEY: services.s3SecretAccessKey,
    STRATA_LOG_LEVEL: 'warn',
  };
}

/** Starts one role (`api`, `stream`, `worker`) and waits until it answers. */
export async function startRole(role: 'api' | 'stream' | 'worker', env: NodeJS.ProcessEnv): Promise<Running> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startNode('bin/strata.mjs', [role], { ...env, STRATA_PORT: String(port) }, url, role === 'api' ? '/readyz' : '/healthz');
}
