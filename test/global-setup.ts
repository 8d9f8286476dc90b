import type { TestProject } from 'vitest/node';
import { SERVICE_NAMES, ServicesUpError, servicesDown, servicesUp, type ServiceName } from '../infra/services/index';

/**
 * The services to start: all of them, or a comma list in STRATA_SERVICES_ONLY when a run needs
 * only a few (say, while one service is being worked on).
 */
function selectedServices(): ServiceName[] {
  const raw = process.env.STRATA_SERVICES_ONLY?.trim();
  if (!raw) return SERVICE_NAMES;
  const names = raw.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(SERVICE_NAMES as string[]).includes(name)) {
      throw new Error(`"STRATA_SERVICES_ONLY" has invalid value "${name}": expected some of ${SERVICE_NAMES.join(',')}`);
    }
  }
  return names as ServiceName[];
}

/**
 * Brings the real services up once for the integration project and stops, afterwards, only the
 * ones this run started: a stack left running by `npm run services:up` stays up, so repeated runs
 * are fast. STRATA_KEEP_SERVICES=1 keeps even the ones started here.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const keep = process.env.STRATA_KEEP_SERVICES === '1';
  const log = (line: string): void => console.log(`[services] ${line}`);
  let started: ServiceName[];
  try {
    const up = await servicesUp(selectedServices(), log);
    started = up.started;
    project.provide('services', up.endpoints);
  } catch (err) {
    if (err instanceof ServicesUpError && !keep) await servicesDown(err.started);
    throw err;
  }
  return async () => {
    if (keep || started.length === 0) return;
    await servicesDown(started);
    log(`stopped ${started.join(', ')}`);
  };
}
