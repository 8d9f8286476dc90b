/**
 * The event log contract, run against every adapter (local log, Kafka) so that embedded and
 * distributed modes behave the same. Each test gets its own log from `make` (its own directory
 * or topic) and its own group names.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, LogMessage, LogPositions, LogRecord, SubscribeOptions, Subscription } from './eventlog';
import { partitionFor } from './partition';

export interface ContractEnv {
  log: EventLog;
  /** Closes the log and opens it again on the same data (same directory or topic). */
  reopen: () => Promise<EventLog>;
  /** Closes whatever log is open and removes its data. */
  cleanup: () => Promise<void>;
}

/** Waits for a condition, polling, and fails with `what` once the deadline passes. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function messages(count: number, prefix = 'm', keys = 16): LogMessage[] {
  return Array.from({ length: count }, (_, i) => ({ key: `key-${i % keys}`, value: Buffer.from(`${prefix}-${i}`) }));
}

/** The position after the last delivered record of each partition. */
function positionsOf(records: readonly LogRecord[]): LogPositions {
  const positions: LogPositions = new Map();
  for (const r of records) positions.set(r.partition, Math.max(positions.get(r.partition) ?? 0, r.offset + 1));
  return positions;
}

const id = (r: LogRecord): string => `${r.partition}/${r.offset}`;

/** Registers the contract tests for one adapter. */
export function eventLogContract(name: string, make: () => Promise<ContractEnv>, timeoutMs = 60_000): void {
  describe(`event log contract: ${name}`, () => {
    let env: ContractEnv;
    let log: EventLog;
    let subs: Subscription[] = [];
    const group = (): string => `g-${randomUUID().slice(0, 8)}`;

    /** Subscribes and collects every delivered record. */
    async function collect(g: string, options: Partial<SubscribeOptions> = {}) {
      const records: LogRecord[] = [];
      const sub = await log.subscribe({ group: g, onBatch: async (b) => void records.push(...b.records), ...options });
      subs.push(sub);
      return { records, sub };
    }

    beforeEach(async () => {
      env = await make();
      log = env.log;
      subs = [];
    }, timeoutMs);

    afterEach(async () => {
      for (const sub of subs) await sub.stop();
      await env.cleanup();
    }, timeoutMs);

    it('delivers in per-partition order, one partition per key', async () => {
      for (let i = 0; i < 5; i++) await log.append(messages(40, `b${i}`, 7));
      const { records, sub } = await collect(group());
      await waitFor('200 records', () => records.length >= 200);
      expect(records).toHaveLength(200);
      expect(sub.assigned()).toEqual(Array.from({ length: log.partitions }, (_, p) => p));
      const lastOffset = new Map<number, number>();
      const seenIn = new Map<string, number>();
      for (const r of records) {
        expect(r.partition).toBe(partitionFor(r.key, log.partitions));
        expect(seenIn.get(r.key) ?? r.partition).toBe(r.partition);
        seenIn.set(r.key, r.partition);
        expect(r.offset).toBeGreaterThan(lastOffset.get(r.partition) ?? -1);
        lastOffset.set(r.partition, r.offset);
      }
      // Per key, the values come back in append order.
      const perKey = new Map<string, string[]>();
      for (const r of records) perKey.set(r.key, [...(perKey.get(r.key) ?? []), r.value.toString()]);
      const expected = new Map<string, string[]>();
      for (let i = 0; i < 5; i++) for (const m of messages(40, `b${i}`, 7)) expected.set(m.key, [...(expected.get(m.key) ?? []), m.value.toString()]);
      expect(perKey).toEqual(expected);
    }, timeoutMs);

    it('delivers every message exactly once to each group, independently', async () => {
      await log.append(messages(300));
      const first = await collect(group());
      const second = await collect(group());
      await waitFor('both groups', () => first.records.length >= 300 && second.records.length >= 300);
      for (const { records } of [first, second]) {
        expect(records).toHaveLength(300);
        expect(new Set(records.map((r) => r.value.toString()))).toEqual(new Set(messages(300).map((m) => m.value.toString())));
      }
    }, timeoutMs);

    it('resumes a group after its last commit', async () => {
      const g = group();
      await log.append(messages(100));
      const first = await collect(g);
      await waitFor('100 records', () => first.records.length >= 100);
      // Commit the middle of each partition: what precedes it is done, what follows is not.
      const committed: LogPositions = new Map();
      for (const [p, end] of positionsOf(first.records)) committed.set(p, Math.floor(end / 2));
      await first.sub.commit(committed);
      await first.sub.stop();
      const expected = first.records.filter((r) => r.offset >= committed.get(r.partition)!).map(id).sort();
      const second = await collect(g);
      await waitFor('the uncommitted records', () => second.records.length >= expected.length);
      expect(second.records.map(id).sort()).toEqual(expected);
    }, timeoutMs);

    it('redelivers what was not committed (at-least-once)', async () => {
      const g = group();
      await log.append(messages(50));
      const first = await collect(g);
      await waitFor('50 records', () => first.records.length >= 50);
      await first.sub.stop();
      const second = await collect(g);
      await waitFor('50 records again', () => second.records.length >= 50);
      expect(second.records.map(id).sort()).toEqual(first.records.map(id).sort());
    }, timeoutMs);

    it('stops a subscription whose onBatch fails, and redelivers after', async () => {
      const g = group();
      await log.append(messages(20));
      let calls = 0;
      const failing = await log.subscribe({ group: g, onBatch: async () => { calls += 1; throw new Error('downstream is down'); } });
      subs.push(failing);
      await waitFor('the failing batch', () => calls > 0);
      await failing.stop();
      const retry = await collect(g);
      await waitFor('20 records', () => retry.records.length >= 20);
      expect(retry.records).toHaveLength(20);
    }, timeoutMs);

    it("starts a new group at the end with from: 'latest'", async () => {
      await log.append(messages(30, 'old'));
      const { records } = await collect(group(), { from: 'latest' });
      await log.append(messages(10, 'new'));
      await waitFor('10 new records', () => records.length >= 10);
      expect(records.map((r) => r.value.toString()).sort()).toEqual(messages(10, 'new').map((m) => m.value.toString()).sort());
    }, timeoutMs);

    it('keeps data and committed positions across reopen', async () => {
      const g = group();
      await log.append(messages(60, 'before'));
      const first = await collect(g);
      await waitFor('60 records', () => first.records.length >= 60);
      await first.sub.commit(positionsOf(first.records));
      await first.sub.stop();
      await log.append(messages(25, 'after'));
      subs = [];
      log = await env.reopen();
      const resumed = await collect(g);
      const fresh = await collect(group());
      await waitFor('all records', () => resumed.records.length >= 25 && fresh.records.length >= 85);
      expect(resumed.records.map((r) => r.value.toString()).sort()).toEqual(messages(25, 'after').map((m) => m.value.toString()).sort());
      expect(fresh.records).toHaveLength(85);
      await log.append(messages(5, 'reopened'));
      await waitFor('appends after reopen', () => fresh.records.length >= 90);
    }, timeoutMs);

    it('counts uncommitted records as lag', async () => {
      const g = group();
      await log.append(messages(70));
      expect(await log.lag(g)).toBe(70);
      const { records, sub } = await collect(g);
      await waitFor('70 records', () => records.length >= 70);
      const positions = positionsOf(records);
      const [partition, end] = [...positions].find(([, e]) => e > 0)!;
      positions.set(partition, end - 1);
      await sub.commit(positions);
      expect(await log.lag(g)).toBe(1);
      await sub.commit(new Map([[partition, end]]));
      expect(await log.lag(g)).toBe(0);
    }, timeoutMs);

    it('takes an append of nothing as a no-op (a request that sampling dropped whole)', async () => {
      await log.append([]);
      expect(await log.lag(group())).toBe(0);
      await log.append(messages(3));
      const { records } = await collect(group());
      await waitFor('3 records', () => records.length >= 3);
      expect(records.map((r) => r.value.toString()).sort()).toEqual(messages(3).map((m) => m.value.toString()).sort());
    }, timeoutMs);

    it('lands every message of many concurrent appends', async () => {
      const callers = 32;
      await Promise.all(Array.from({ length: callers }, (_, c) => log.append(messages(25, `c${c}`, 50))));
      const { records } = await collect(group());
      await waitFor(`${callers * 25} records`, () => records.length >= callers * 25);
      expect(new Set(records.map((r) => r.value.toString())).size).toBe(callers * 25);
      expect(await log.lag(group())).toBe(callers * 25);
    }, timeoutMs);
  });
}
