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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Killable, startKillable } from '../bench/crash';
import { freePort } from '../bench/processes';
import { createFsObjectStore } from '../infra/objectstore/fs';
import { archivedEventIds } from './support/archive';
import { type Load, startLoad } from './support/crash-load';
import { type CrashReport, type CrashTarget, runCrashScenario } from './support/crash-scenario';
import { call } from './support/http';
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
      async speedTotal() {
        const reply = await call<{ value: number }>(`${url}/v1/metrics?name=events&range=1h&granularity=all`, { headers: { 'strata-tenant': tenant } });
        if (reply.status !== 200) throw new Error(`metrics answered ${reply.status}: ${JSON.stringify(reply.body)}`);
        return reply.body.value;
      },
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
    const stats = load.stats();
    await load.close();
    report.kills.forEach((k) => say(`kill ${k.index + 1}: restart ${k.restartMs} ms, replay bound ${k.replayBound} events, archive complete ${k.check?.caughtUpAfterMs ?? '?'} ms after the kill`));

    expect(stats.unexpected).toEqual([]);
    // After each restart: healthy (start resolved), nothing acknowledged before the kill missing
    // from the archive once the restart committed past it, nothing unknown, the total no less.
    for (const kill of report.kills) {
      expect(kill.check?.error).toBeUndefined();
      expect(kill.check).toMatchObject({ missing: 0, alien: 0 });
      expect(kill.check!.speedTotal).toBeGreaterThanOrEqual(kill.check!.committedEvents);
    }
    // Every generated body was retried until acknowledged.
    expect(report.ackedEvents).toBe(load.generated.size);
    const acked = new Set(load.acked);
    expect(acked.size).toBe(report.ackedEvents);
    // The archive's distinct ids are exactly the acknowledged ones.
    const missing = [...acked].filter((id) => !report.archiveIds.has(id));
    const extra = [...report.archiveIds].filter((id) => !acked.has(id));
    expect({ missing: missing.length, extra: extra.length, sample: [...missing, ...extra].slice(0, 5) }).toEqual({ missing: 0, extra: 0, sample: [] });
    expect(report.archiveIds.size).toBe(acked.size);
    // A request cut by the kill after its append reached the log is in the log twice once the
    // client retried it; the speed layer counts both copies (it does not deduplicate).
    const retryCopies = report.logEvents - report.ackedEvents;
    say(`retry copies in the log: ${retryCopies} (≤ ${stats.ambiguousEvents} events in requests cut by a kill)`);
    expect(report.logDistinct).toBe(acked.size);
    expect(retryCopies).toBeGreaterThanOrEqual(0);
    expect(retryCopies).toBeLessThanOrEqual(stats.ambiguousEvents);
    // The speed total: at least the acknowledged count, over the log's copies by at most the replays.
    expect(report.speedTotal).toBeGreaterThanOrEqual(report.ackedEvents);
    expect(report.speedTotal).toBeGreaterThanOrEqual(report.logEvents);
    expect(report.speedTotal - report.logEvents).toBeLessThanOrEqual(report.replayBoundSum);
    expect(report.speedTotal - report.ackedEvents).toBeLessThanOrEqual(report.replayBoundSum + retryCopies);
  }, 600_000);
});
