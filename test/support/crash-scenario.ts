/**
 * The crash scenario both modes run: under steady load, SIGKILL the process that runs the speed
 * layer at random moments, measure at each kill how much a restart can replay, restart it, and
 * check after each restart, then once more at the end when everything has caught up.
 *
 * What a kill can cost, and why the bound is exact: the speed layer commits a position only after
 * the deltas and archive files of everything before it are durable, so the only events a restart
 * processes twice are in records between the committed position and the log's end at the kill.
 * Both are read after the process has exited, when neither can move on its behalf.
 */
import type { LogPositions } from '../../infra/eventlog/eventlog';
import type { Load } from './crash-load';
import { type LogShadow, eventsBetween } from './log-shadow';

export interface CrashTarget {
  /** Starts the process that gets killed; resolves once it is healthy. */
  start(): Promise<void>;
  /** SIGKILLs it; resolves once it has exited. */
  kill(): Promise<void>;
  /** The speed layer's committed positions. */
  committed(): Promise<LogPositions>;
  /** The end (next offset) of every partition. */
  ends(): Promise<LogPositions>;
  shadow: LogShadow;
  /** Distinct event ids in the archive. */
  archiveIds(): Promise<Set<string>>;
  /** The tenant's speed-layer total of `events`. */
  speedTotal(): Promise<number>;
}

export interface CrashPlan {
  kills: number;
  /** Each kill comes a uniformly random time in [min, max] ms after the previous restart was healthy. */
  gapMs: [number, number];
  /** How long one restart may take to catch up past what its kill left, before the check fails. */
  checkTimeoutMs: number;
  /** For the final catch-up after the load stops. */
  settleTimeoutMs: number;
}

/** A check run after a restart, once the restarted process committed past the log's end at the kill. */
export interface RestartCheck {
  /** Kill to committed-past-the-kill (the archive complete up to it), ms. */
  caughtUpAfterMs: number;
  ackedBeforeKill: number;
  /** Events acknowledged before the kill and missing from the archive. */
  missing: number;
  /** Archived ids that the client never generated. */
  alien: number;
  speedTotal: number;
  /** Events in the log below the committed positions: the speed total can be no less. */
  committedEvents: number;
  error?: string;
}

export interface KillRecord {
  index: number;
  /** Since the load started, ms. */
  atMs: number;
  committed: LogPositions;
  ends: LogPositions;
  /** Events (and records) between the committed positions and the ends: the replay bound. */
  replayBound: number;
  replayRecords: number;
  /** Kill to healthy again, ms. */
  restartMs: number;
  check?: RestartCheck;
}

export interface CrashReport {
  kills: KillRecord[];
  replayBoundSum: number;
  /** Load stop to lag 0, ms. */
  settleMs: number;
  ackedEvents: number;
  archiveIds: Set<string>;
  speedTotal: number;
  /** Every copy of every event in the log. */
  logEvents: number;
  logDistinct: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sum = (positions: LogPositions): number => [...positions.values()].reduce((a, b) => a + b, 0);
const show = (positions: LogPositions): string => [...positions].sort(([a], [b]) => a - b).map(([p, o]) => `${p}:${o}`).join(' ');

/** Every partition of `ends` committed at or past its end. */
async function committedPast(target: CrashTarget, ends: LogPositions): Promise<boolean> {
  const committed = await target.committed();
  return [...ends].every(([p, end]) => (committed.get(p) ?? 0) >= end);
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

async function retrying<T>(what: string, timeoutMs: number, read: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms reading ${what}: ${String(err)}`);
      await sleep(250);
    }
  }
}

export async function runCrashScenario(target: CrashTarget, load: Load, plan: CrashPlan, say: (line: string) => void): Promise<CrashReport> {
  const t0 = Date.now();
  const kills: KillRecord[] = [];
  // Checks run one after another beside the load; a later kill may land while one waits, which
  // only delays it: the next restart commits past the same positions.
  let checks: Promise<void> = Promise.resolve();

  for (let index = 0; index < plan.kills; index++) {
    const [min, max] = plan.gapMs;
    await sleep(min + Math.random() * (max - min));
    const killedAt = Date.now();
    await target.kill();
    // Acknowledged before the reads below, so every one of them is in the log below `ends`.
    const ackedBeforeKill = load.acked.length;
    const ends = await target.ends();
    const committed = await target.committed();
    await target.shadow.catchUp(ends);
    const bound = eventsBetween(target.shadow, committed, ends);
    say(`kill ${index + 1} at ${((killedAt - t0) / 1000).toFixed(1)} s: committed [${show(committed)}] ends [${show(ends)}] → replay bound ${bound.events} events in ${bound.records} records; ${ackedBeforeKill} acknowledged so far`);
    await target.start();
    const record: KillRecord = { index, atMs: killedAt - t0, committed, ends, replayBound: bound.events, replayRecords: bound.records, restartMs: Date.now() - killedAt };
    kills.push(record);
    say(`kill ${index + 1}: healthy again ${(record.restartMs / 1000).toFixed(1)} s after the kill`);
    checks = checks.then(() => checkAfterRestart(target, load, record, killedAt, ackedBeforeKill, plan.checkTimeoutMs)).then((check) => {
      record.check = check;
      say(`kill ${index + 1}: restart committed past the kill after ${(check.caughtUpAfterMs / 1000).toFixed(1)} s; ` +
        `archive holds ${check.ackedBeforeKill - check.missing}/${check.ackedBeforeKill} of the events acknowledged before the kill, ${check.alien} unknown ids; ` +
        `speed total ${check.speedTotal} ≥ ${check.committedEvents} committed events${check.error ? `; ERROR ${check.error}` : ''}`);
    });
  }

  const stoppedAt = Date.now();
  load.stopGenerating();
  await load.drained(plan.settleTimeoutMs);
  say(`load stopped at ${((stoppedAt - t0) / 1000).toFixed(1)} s; every body acknowledged after ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s: ${JSON.stringify(load.stats())}`);
  await checks;

  const ends = await target.ends();
  await waitFor(`the speed layer to commit up to [${show(ends)}]`, plan.settleTimeoutMs, () => committedPast(target, ends));
  const settleMs = Date.now() - stoppedAt;
  await target.shadow.catchUp(ends);
  // Deltas are flushed before a commit, so the total is final now; read it until it holds still
  // anyway, which costs a second and would show a flush still landing.
  let speedTotal = await target.speedTotal();
  await waitFor('the speed total to hold still', 30_000, async () => {
    await sleep(1000);
    const again = await target.speedTotal();
    const still = again === speedTotal;
    speedTotal = again;
    return still;
  });
  const archiveIds = await target.archiveIds();
  const replayBoundSum = kills.reduce((a, k) => a + k.replayBound, 0);
  const report: CrashReport = {
    kills, replayBoundSum, settleMs, ackedEvents: load.acked.length, archiveIds, speedTotal,
    logEvents: target.shadow.events(), logDistinct: target.shadow.ids().size,
  };
  say(`settled ${(settleMs / 1000).toFixed(1)} s after the load stopped; log end [${show(ends)}] (${sum(ends)} records)`);
  say(`acknowledged ${report.ackedEvents} events; archive ${archiveIds.size} distinct ids; log ${report.logEvents} events (${report.logDistinct} distinct); ` +
    `speed total ${speedTotal}: overcount ${speedTotal - report.ackedEvents} vs acknowledged, ${speedTotal - report.logEvents} vs the log; Σ replay bounds ${replayBoundSum}`);
  return report;
}

async function checkAfterRestart(
  target: CrashTarget, load: Load, kill: KillRecord, killedAt: number, ackedBeforeKill: number, timeoutMs: number,
): Promise<RestartCheck> {
  const check: RestartCheck = { caughtUpAfterMs: -1, ackedBeforeKill, missing: -1, alien: -1, speedTotal: -1, committedEvents: -1 };
  try {
    await waitFor(`restart ${kill.index + 1} to commit past [${show(kill.ends)}]`, timeoutMs, () => committedPast(target, kill.ends));
    check.caughtUpAfterMs = Date.now() - killedAt;
    // Committed first: the total read after it covers at least the events below it.
    const committed = await target.committed();
    // Retried: a later kill may have taken the process down meanwhile (the total only grows).
    check.speedTotal = await retrying('the speed total', timeoutMs, () => target.speedTotal());
    await target.shadow.catchUp(committed);
    check.committedEvents = [...committed].reduce((a, [p, c]) => a + target.shadow.eventsIn(p, 0, c), 0);
    const archived = await retrying('the archive', timeoutMs, () => target.archiveIds());
    check.missing = load.acked.slice(0, ackedBeforeKill).filter((id) => !archived.has(id)).length;
    check.alien = [...archived].filter((id) => !load.generated.has(id)).length;
  } catch (err) {
    check.error = err instanceof Error ? err.message : String(err);
  }
  return check;
}
