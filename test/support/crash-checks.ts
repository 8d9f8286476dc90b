/**
 * The crash tests' verdicts, the same in both modes: after each restart, and at the end.
 */
import { expect } from 'vitest';
import type { Load } from './crash-load';
import type { CrashReport } from './crash-scenario';
import { call } from './http';

/** The speed layer's total for a tenant, as the API serves it (no batch hour exists yet). */
export async function speedTotal(apiUrl: string, tenant: string): Promise<number> {
  const reply = await call<{ value: number }>(`${apiUrl}/v1/metrics?name=events&range=1h&granularity=all`, { headers: { 'strata-tenant': tenant } });
  if (reply.status !== 200) throw new Error(`metrics answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.value;
}

/**
 * Asserts what the issue asks of every crash run: the archive's distinct ids are exactly the
 * acknowledged ones, and the speed total is at least the acknowledged count and over it by no
 * more than the replays (plus copies of requests cut after their append, which the client sent
 * again: the speed layer does not deduplicate).
 */
export function expectCrashInvariants(report: CrashReport, load: Load, say: (line: string) => void): void {
  const stats = load.stats();
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
  const missing = [...acked].filter((id) => !report.archiveIds.has(id));
  const extra = [...report.archiveIds].filter((id) => !acked.has(id));
  expect({ missing: missing.length, extra: extra.length, sample: [...missing, ...extra].slice(0, 5) }).toEqual({ missing: 0, extra: 0, sample: [] });
  expect(report.archiveIds.size).toBe(acked.size);
  const retryCopies = report.logEvents - report.ackedEvents;
  say(`retry copies in the log: ${retryCopies} (≤ ${stats.ambiguousEvents} events in requests that failed ambiguously)`);
  expect(report.logDistinct).toBe(acked.size);
  expect(retryCopies).toBeGreaterThanOrEqual(0);
  expect(retryCopies).toBeLessThanOrEqual(stats.ambiguousEvents);
  say(`speed total ${report.speedTotal}, acknowledged ${report.ackedEvents}, overcount ${report.speedTotal - report.ackedEvents}, replay bounds ${report.replayBoundSum}`);
  expect(report.speedTotal).toBeGreaterThanOrEqual(report.ackedEvents);
  expect(report.speedTotal).toBeGreaterThanOrEqual(report.logEvents);
  expect(report.speedTotal - report.logEvents).toBeLessThanOrEqual(report.replayBoundSum);
  expect(report.speedTotal - report.ackedEvents).toBeLessThanOrEqual(report.replayBoundSum + retryCopies);
}
