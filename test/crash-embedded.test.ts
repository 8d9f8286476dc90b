/**
 * Crash test of the embedded mode (issue 3): `strata start` is SIGKILLed five times under load, the
 * whole process (API, local log, speed layer and chdb at once), and restarted on the same data
 * directory. Requests in flight at a kill fail and the client retries them after the restart.
 * After each restart and at the end: the archive holds every acknowledged event id (and no other),
 * and the speed total is at least the acknowledged count, over it by no more than the replays.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Killable, startKillable } from '../bench/crash';
import { freePort } from '../bench/processes';
import { createFsObjectStore } from '../infra/objectstore/fs';
import { archivedEventIds } from './support/archive';
import { type Load, startLoad } from './support/crash-load';
import { type CrashReport, type CrashTarget, runCrashScenario } from './support/crash-scenario';
import { expectCrashInvariants, speedTotal } from './support/crash-checks';
import { openLocalLogView } from './support/local-log-shadow';

const run = randomBytes(4).toString('hex');
const tenant = `crash-${run}`;
const say = (line: string): void => console.log(`[crash-embedded] ${line}`);

let dataDir: string;
let url: string;
let strata: Killable | undefined;
let load: Load | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'strata-crash-'));
  url = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await load?.close();
  await strata?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded: kill -9 of the whole process under load', () => {
  it('archives exactly the acknowledged events and bounds the speed overcount by the replays', async () => {
    const env = { STRATA_PORT: new URL(url).port, STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' };
    const logView = openLocalLogView(join(dataDir, 'log'));
    const objects = createFsObjectStore({ root: join(dataDir, 'objects') });
    const start = async (): Promise<void> => {
      strata = await startKillable('bin/strata.mjs', ['start'], env, url, '/readyz');
    };
    const target: CrashTarget = {
      start,
      kill: async () => strata?.kill(),
      committed: () => logView.committed('speed'),
      ends: () => logView.scan(),
      shadow: logView.shadow,
      archiveIds: () => archivedEventIds(objects, `raw/tenant=${tenant}/`),
      speedTotal: () => speedTotal(url, tenant),
    };

    await start();
    say(`started in ${strata!.startedInMs} ms on ${dataDir}`);
    load = startLoad({ url: () => url, tenant, idPrefix: run, eventsPerSecond: 2000 });
    let report: CrashReport;
    try {
      report = await runCrashScenario(target, load, { kills: 5, gapMs: [5_000, 20_000], checkTimeoutMs: 120_000, settleTimeoutMs: 120_000 }, say);
    } catch (err) {
      say(`the process's last output:\n${strata?.output() ?? ''}`);
      throw err;
    }
    expectCrashInvariants(report, load, say);
    await load.close();
  }, 600_000);
});
