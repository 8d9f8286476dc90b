/**
 * Real services on loopback without Docker: fetched into `${STRATA_SERVICES_HOME:-~/.cache/strata}`,
 * run as detached processes with state under `<home>/run/<service>/`, and health-checked with the
 * same clients Strata uses. `docker-compose.yml` at the repo root is the same stack with images.
 */
import { clickhouse, clickhouseUrl } from './clickhouse';
import { kafka } from './kafka';
import { HOST, PORTS } from './paths';
import { stopService, type Log } from './process';
import { redis, redisUrl } from './redis';
import { s3, s3Credentials, s3Endpoint } from './s3';
import { bringUp, type ServiceDef, type ServiceName } from './service';
import { temporal, temporalAddress, temporalUiUrl } from './temporal';

export type { ServiceName } from './service';

/** How to reach each service. Plain data, so vitest can `provide` it to test workers. */
export interface ServiceEndpoints {
  kafkaBrokers: string[];
  temporalAddress: string;
  temporalUiUrl: string;
  redisUrl: string;
  s3Endpoint: string;
  s3Region: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  clickhouseUrl: string;
}

/** The fixed loopback endpoints. */
export const endpoints: ServiceEndpoints = {
  kafkaBrokers: [`${HOST}:${PORTS.kafka}`],
  temporalAddress,
  temporalUiUrl,
  redisUrl,
  s3Endpoint,
  s3Region: s3Credentials.region,
  s3AccessKeyId: s3Credentials.accessKeyId,
  s3SecretAccessKey: s3Credentials.secretAccessKey,
  clickhouseUrl,
};

const defs: Record<ServiceName, ServiceDef> = { kafka, temporal, redis, s3, clickhouse };
export const SERVICE_NAMES = Object.keys(defs) as ServiceName[];

/** Some services failed to come up; the others are running and listed in `started`. */
export class ServicesUpError extends Error {
  constructor(readonly started: ServiceName[], readonly failures: Partial<Record<ServiceName, Error>>) {
    super(Object.values(failures).map((e) => e.message).join('\n\n'));
    this.name = 'ServicesUpError';
  }
}

/**
 * Starts, in parallel, each named service that is not already healthy, and waits until all are.
 * Throws `ServicesUpError` if any fails, after the others have settled, so the caller can still
 * stop what was started.
 */
export async function servicesUp(
  names: ServiceName[] = SERVICE_NAMES,
  log: Log = (line) => console.log(line),
): Promise<{ endpoints: ServiceEndpoints; started: ServiceName[] }> {
  const results = await Promise.allSettled(names.map((name) => bringUp(defs[name], log)));
  const started: ServiceName[] = [];
  const failures: Partial<Record<ServiceName, Error>> = {};
  results.forEach((result, i) => {
    const name = names[i] as ServiceName;
    if (result.status === 'rejected') failures[name] = result.reason as Error;
    else if (result.value) started.push(name);
  });
  if (Object.keys(failures).length > 0) throw new ServicesUpError(started, failures);
  return { endpoints, started };
}

/**
 * Stops the named services that these scripts started (one we did not start is left alone).
 * Resolves to the ones that were running.
 */
export async function servicesDown(names: ServiceName[] = SERVICE_NAMES): Promise<ServiceName[]> {
  const stopped = await Promise.all(names.map((name) => stopService(name)));
  return names.filter((_, i) => stopped[i]);
}

export async function servicesStatus(): Promise<Record<ServiceName, 'up' | 'down'>> {
  const states = await Promise.all(SERVICE_NAMES.map((name) => defs[name].healthy().catch(() => false)));
  return Object.fromEntries(SERVICE_NAMES.map((name, i) => [name, states[i] ? 'up' : 'down'])) as Record<ServiceName, 'up' | 'down'>;
}
