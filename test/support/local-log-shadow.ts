/**
 * The crash test's view of the embedded mode's local log, read from its files without opening
 * the log: `createLocalLog` claims the directory (a LOCK file) and truncates torn tails, which a
 * bystander must not do. Segment files are decoded read-only with the log's own framing, and
 * the committed positions come from the group store's JSON file.
 *
 * While the process lives, its last frame may be half-written: decoding stops there and resumes
 * on the next scan. Once it is dead, what decodes is exactly what the restart will keep.
 */
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogPositions } from '../../infra/eventlog/eventlog';
import { decodeFrames, parseSegmentFileName, segmentFileName } from '../../infra/eventlog/segment';
import { type LogShadow, RecordTally } from './log-shadow';

export interface LocalLogView {
  shadow: LogShadow;
  /** The group's committed positions, from `<log>/groups/<group>.json`. */
  committed(group: string): Promise<LogPositions>;
  /** Reads what is new in the segment files and returns the end (next offset) of every partition. */
  scan(): Promise<LogPositions>;
}

interface SegmentCursor {
  base: number;
  /** Bytes of whole frames decoded so far. */
  bytes: number;
  records: number;
}

/** A view of the local log in `logDir`, with as many partitions as its meta.json says (read once it exists). */
export function openLocalLogView(logDir: string): LocalLogView {
  const tally = new RecordTally();
  const cursors = new Map<number, SegmentCursor[]>();

  const scanPartition = async (partition: number): Promise<number> => {
    const dir = join(logDir, 'partitions', String(partition));
    const bases = (await readdir(dir).catch(() => [] as string[])).map(parseSegmentFileName).filter((b): b is number => b !== undefined).sort((a, b) => a - b);
    const list = cursors.get(partition) ?? [];
    cursors.set(partition, list);
    for (const base of bases) if (!list.some((c) => c.base === base)) list.push({ base, bytes: 0, records: 0 });
    for (const cursor of list) {
      const handle = await open(join(dir, segmentFileName(cursor.base)), 'r');
      try {
        const size = (await handle.stat()).size;
        if (size <= cursor.bytes) continue;
        const buf = Buffer.alloc(size - cursor.bytes);
        const { bytesRead } = await handle.read(buf, 0, buf.length, cursor.bytes);
        const decoded = decodeFrames(buf.subarray(0, bytesRead));
        decoded.messages.forEach((m, i) => tally.add(partition, cursor.base + cursor.records + i, m.value));
        cursor.bytes += decoded.bytes;
        cursor.records += decoded.messages.length;
      } finally {
        await handle.close();
      }
    }
    const last = list[list.length - 1];
    return last ? last.base + last.records : 0;
  };

  const scan = async (): Promise<LogPositions> => {
    const ends: LogPositions = new Map();
    const meta = await readFile(join(logDir, 'meta.json'), 'utf8').catch(() => '{"partitions":0}');
    const { partitions } = JSON.parse(meta) as { partitions: number };
    for (let p = 0; p < partitions; p++) ends.set(p, await scanPartition(p));
    return ends;
  };

  const shadow: LogShadow = {
    async catchUp(target, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await scan();
        if (tally.reached(target)) return;
        if (Date.now() > deadline) throw new Error(`the local log did not reach ${JSON.stringify([...target])} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    eventsIn: (partition, from, to) => tally.eventsIn(partition, from, to),
    events: () => tally.events(),
    ids: () => tally.ids(),
    close: () => Promise.resolve(),
  };

  return {
    shadow,
    scan,
    async committed(group) {
      const file = join(logDir, 'groups', `${encodeURIComponent(group)}.json`);
      const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return '{}';
        throw err;
      });
      return new Map(Object.entries(JSON.parse(text) as Record<string, number>).map(([p, o]) => [Number(p), o]));
    },
  };
}
