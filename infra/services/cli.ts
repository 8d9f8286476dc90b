/**
 * `tsx infra/services/cli.ts up|down|status [names...]` (also `npm run services:up` and friends).
 * `up` leaves the services running for later test runs; `down` stops what these scripts started.
 */
import { SERVICE_NAMES, ServicesUpError, endpoints, servicesDown, servicesStatus, servicesUp, type ServiceName } from './index';
import { PORTS } from './paths';

const where: Record<ServiceName, string> = {
  kafka: endpoints.kafkaBrokers.join(','),
  temporal: `${endpoints.temporalAddress}  (UI ${endpoints.temporalUiUrl})`,
  redis: endpoints.redisUrl,
  s3: endpoints.s3Endpoint,
  clickhouse: endpoints.clickhouseUrl,
};

function parseNames(args: string[]): ServiceName[] {
  for (const arg of args) {
    if (!(SERVICE_NAMES as string[]).includes(arg)) {
      throw new Error(`unknown service "${arg}"; expected one of ${SERVICE_NAMES.join(', ')}`);
    }
  }
  return args.length > 0 ? (args as ServiceName[]) : SERVICE_NAMES;
}

async function printStatus(): Promise<boolean> {
  const status = await servicesStatus();
  console.log(`${'SERVICE'.padEnd(12)}${'STATE'.padEnd(7)}ENDPOINT`);
  for (const name of SERVICE_NAMES) console.log(`${name.padEnd(12)}${status[name].padEnd(7)}${where[name]}`);
  return Object.values(status).every((s) => s === 'up');
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const names = parseNames(rest);
  const t0 = Date.now();
  switch (command) {
    case 'up':
      try {
        const { started } = await servicesUp(names);
        console.log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; started: ${started.join(', ') || '(all were already up)'}`);
        return 0;
      } catch (err) {
        if (!(err instanceof ServicesUpError)) throw err;
        console.error(`\nfailed: ${Object.keys(err.failures).join(', ')} (left running: ${err.started.join(', ') || 'none'})\n`);
        console.error(err.message);
        return 1;
      }
    case 'down':
      console.log(`stopped: ${(await servicesDown(names)).join(', ') || '(none was running)'}`);
      return 0;
    case 'status':
      return (await printStatus()) ? 0 : 3;
    default:
      console.error(`usage: tsx infra/services/cli.ts up|down|status [${SERVICE_NAMES.join('|')}...]\nports: ${JSON.stringify(PORTS)}`);
      return 2;
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
