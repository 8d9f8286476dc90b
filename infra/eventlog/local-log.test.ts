import { appendFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventLogContract, waitFor } from './contract';
import type { EventLog, LogMessage, LogRecord } from './eventlog';
import { createLocalLog } from './local-log';
import { murmur2, partitionFor } from './partition';
import { decodeFrames, encodeFrames, segmentFileName } from './segment';

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'strata-eventlog-'));

eventLogContract('local log', async () => {
  const dir = await tempDir();
  let log: EventLog = await createLocalLog({ dir });
  return {
    log,
    reopen: async () => {
      await log.close();
      log = await createLocalLog({ dir });
      return log;
    },
    cleanup: async () => {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const msgs = (n: number, prefix: string): LogMessage[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i % 5}`, value: Buffer.from(`${prefix}-${i}-${'x'.repeat(i % 40)}`) }));

async function readAll(log: EventLog, expected: number): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const sub = await log.subscribe({ group: `read-${Math.random()}`, onBatch: async (b) => void records.push(...b.records) });
  await waitFor(`${expected} records`, () => records.length >= expected);
  await sub.stop();
  return records;
}

describe('local log', () => {
  it('truncates a torn tail on open, keeps every complete record, and appends after it', async () => {
    const dir = await tempDir();
    try {
      let log = await createLocalLog({ dir, partitions: 1 });
      await log.append(msgs(50, 'a'));
      await log.close();
      const segment = join(dir, 'partitions', '0', segmentFileName(0));
      const intact = (await stat(segment)).size;
      // Garbage whose length field claims a 4 GiB frame.
      await appendFile(segment, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 0, 9, 9, 9, 9]));
      log = await createLocalLog({ dir, partitions: 1 });
      expect(await log.lag('fresh')).toBe(50);
      await log.close();
      expect((await stat(segment)).size).toBe(intact);

      // A torn write: the last of three records cut in the middle of its value.
      await appendFile(segment, encodeFrames(msgs(3, 'b')));
      await truncate(segment, (await stat(segment)).size - 2);
      log = await createLocalLog({ dir, partitions: 1 });
      expect(await log.lag('fresh')).toBe(52);
      await log.append(msgs(10, 'c'));
      const records = await readAll(log, 62);
      expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 62 }, (_, i) => i));
      expect(records.slice(0, 50).map((r) => r.value.toString())).toEqual(msgs(50, 'a').map((m) => m.value.toString()));
      expect(records.slice(52).map((r) => r.value.toString())).toEqual(msgs(10, 'c').map((m) => m.value.toString()));
      await log.close();

      // A flipped byte in the second of two records (bad crc).
      const frames = encodeFrames(msgs(2, 'd'));
      frames[frames.length - 1]! ^= 0xff;
      await appendFile(segment, frames);
      log = await createLocalLog({ dir, partitions: 1 });
      expect(await log.lag('fresh')).toBe(63);
      await log.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls segments and reads across them from any committed position', async () => {
    const dir = await tempDir();
    try {
      let log = await createLocalLog({ dir, partitions: 2, segmentBytes: 1024 });
      for (let i = 0; i < 20; i++) await log.append(msgs(20, `r${i}`));
      const files = [...(await readdir(join(dir, 'partitions', '0'))), ...(await readdir(join(dir, 'partitions', '1')))];
      expect(files.length).toBeGreaterThan(8);
      const records = await readAll(log, 400);
      // Commit a third of the way into each partition, mid-segment.
      const committed = new Map([0, 1].map((p) => [p, Math.floor(records.filter((r) => r.partition === p).length / 3) + 1]));
      const sub = await log.subscribe({ group: 'g', onBatch: async () => {} });
      await sub.commit(committed);
      await sub.stop();
      await log.close();
      log = await createLocalLog({ dir, partitions: 2, segmentBytes: 1024 });
      const resumed: LogRecord[] = [];
      const again = await log.subscribe({ group: 'g', onBatch: async (b) => void resumed.push(...b.records) });
      const expected = records.filter((r) => r.offset >= committed.get(r.partition)!);
      await waitFor('resumed records', () => resumed.length >= expected.length);
      await again.stop();
      expect(resumed.map((r) => `${r.partition}/${r.offset}/${r.value}`).sort()).toEqual(expected.map((r) => `${r.partition}/${r.offset}/${r.value}`).sort());
      await log.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('splits partitions between two members of one group and hands them back on stop', async () => {
    const dir = await tempDir();
    const log = await createLocalLog({ dir, partitions: 4 });
    try {
      const noop = async (): Promise<void> => {};
      const a = await log.subscribe({ group: 'g', onBatch: noop });
      expect(a.assigned()).toEqual([0, 1, 2, 3]);
      const b = await log.subscribe({ group: 'g', onBatch: noop });
      expect([...a.assigned(), ...b.assigned()].sort()).toEqual([0, 1, 2, 3]);
      expect(a.assigned()).toHaveLength(2);
      await b.stop();
      expect(a.assigned()).toEqual([0, 1, 2, 3]);
      await a.stop();
    } finally {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the partition count of an existing directory when none is asked, and gives a new one 2', async () => {
    const dir = await tempDir();
    let log = await createLocalLog({ dir, partitions: 3 });
    await log.close();
    log = await createLocalLog({ dir });
    expect(log.partitions).toBe(3);
    await log.close();
    const fresh = await tempDir();
    log = await createLocalLog({ dir: fresh });
    expect(log.partitions).toBe(2);
    await log.close();
    await rm(dir, { recursive: true, force: true });
    await rm(fresh, { recursive: true, force: true });
  });

  it('refuses a second open of the same directory and a different partition count', async () => {
    const dir = await tempDir();
    const log = await createLocalLog({ dir, partitions: 3 });
    await expect(createLocalLog({ dir, partitions: 3 })).rejects.toThrow(/already open/);
    await log.close();
    await expect(createLocalLog({ dir, partitions: 4 })).rejects.toThrow(/"partitions" has invalid value 4/);
    // A live process (pid 1) holds the lock: refused, and its lock is left alone.
    await writeFile(join(dir, 'LOCK'), '1');
    await expect(createLocalLog({ dir, partitions: 3 })).rejects.toThrow(/in use by process 1/);
    expect(await readFile(join(dir, 'LOCK'), 'utf8')).toBe('1');
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers a record larger than the batch byte limit', async () => {
    const dir = await tempDir();
    const log = await createLocalLog({ dir, partitions: 1 });
    try {
      const big = Buffer.alloc(6 << 20, 7);
      await log.append([{ key: 'a', value: Buffer.from('small') }, { key: 'a', value: big }, { key: 'a', value: Buffer.from('after') }]);
      const records = await readAll(log, 3);
      expect(records.map((r) => r.value.length)).toEqual([5, 6 << 20, 5]);
      expect(records[1]!.value.equals(big)).toBe(true);
    } finally {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('framing', () => {
  it('decodes what it encodes, and never returns a record from a torn tail', () => {
    const message = fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 40 }), value: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(fc.property(fc.array(message, { maxLength: 20 }), fc.nat(), (list, cut) => {
      const input = list.map((m) => ({ key: m.key, value: Buffer.from(m.value) }));
      const buf = encodeFrames(input);
      const whole = decodeFrames(buf);
      expect(whole.stop).toBe('end');
      expect(whole.messages).toEqual(input);
      const torn = decodeFrames(buf.subarray(0, buf.length === 0 ? 0 : cut % buf.length));
      expect(torn.messages).toEqual(input.slice(0, torn.messages.length));
      expect(torn.messages.length).toBeLessThan(Math.max(1, input.length));
    }));
  });
});

describe('partitioning', () => {
  it("matches Kafka's murmur2 test vectors", () => {
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
    for (let i = 0; i < 100; i++) expect(partitionFor(`k${i}`, 4)).toBeLessThan(4);
  });

  it('hashes a string key as its UTF-8 bytes, whatever its characters and length', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
      const bytes = Buffer.from(key, 'utf8');
      expect(partitionFor(key, partitions)).toBe((murmur2(bytes) & 0x7fffffff) % partitions);
      expect(partitionFor(bytes, partitions)).toBe(partitionFor(key, partitions));
    }));
    expect(partitionFor('x'.repeat(1000), 7)).toBe((murmur2(Buffer.from('x'.repeat(1000))) & 0x7fffffff) % 7);
  });
});
