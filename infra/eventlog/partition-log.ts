/**
 * One partition of the local log: a directory of segment files, a single writer and any number
 * of readers. Readers only ever see bytes that were fsync'd: a consumer that committed a record
 * lost in a crash would otherwise skip the different record that later reuses its offset.
 */
import type { FileHandle } from 'node:fs/promises';
import { constants, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { StrataError } from '../../core/errors';
import { syncDirectory } from '../durable-fs';
import { PartitionReader } from './partition-reader';
import { decodeFrames, parseSegmentFileName, segmentFileName, type Segment } from './segment';

export class PartitionLog {
  private waiters = new Set<() => void>();

  private constructor(
    readonly partition: number,
    private readonly dir: string,
    private readonly segmentBytes: number,
    private readonly segments: Segment[],
    private active: FileHandle,
    /** The next offset to assign, which is also the durable end. */
    private next: number,
  ) {}

  /** Opens a partition, recovering its last segment: a torn or corrupt tail is truncated. */
  static async open(partition: number, dir: string, segmentBytes: number, logger: Logger): Promise<PartitionLog> {
    await mkdir(dir, { recursive: true });
    const bases = (await readdir(dir)).map(parseSegmentFileName).filter((b): b is number => b !== undefined);
    bases.sort((a, b) => a - b);
    if (bases.length === 0) bases.push(0);
    const segments: Segment[] = [];
    for (const base of bases.slice(0, -1)) {
      const handle = await open(join(dir, segmentFileName(base)), 'r');
      segments.push({ base, size: (await handle.stat()).size });
      await handle.close();
    }
    const base = bases[bases.length - 1]!;
    // Not 'a+': Linux ignores the position of writes to a file opened for appending.
    const active = await open(join(dir, segmentFileName(base)), constants.O_RDWR | constants.O_CREAT);
    const content = await active.readFile();
    const decoded = decodeFrames(content);
    if (decoded.bytes < content.length) {
      logger.warn({ partition, segment: base, validBytes: decoded.bytes, droppedBytes: content.length - decoded.bytes, reason: decoded.stop },
        'event log: truncating a torn tail');
      await active.truncate(decoded.bytes);
    }
    await active.sync();
    await syncDirectory(dir);
    segments.push({ base, size: decoded.bytes });
    return new PartitionLog(partition, dir, segmentBytes, segments, active, base + decoded.messages.length);
  }

  /** The durable end: the offset the next appended record gets. */
  get endOffset(): number {
    return this.next;
  }

  get startOffset(): number {
    return this.segments[0]!.base;
  }

  /**
   * Writes chunks of frames (`counts[i]` records in `chunks[i]`) and fsyncs them: one write and
   * one fsync unless a segment rolls in between. Returns the number of fsyncs.
   */
  async append(chunks: Buffer[], counts: number[]): Promise<number> {
    let run: Buffer[] = [];
    let runBytes = 0;
    let runCount = 0;
    let syncs = 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      const filled = this.segments[this.segments.length - 1]!.size + runBytes;
      if (filled > 0 && filled + chunk.length > this.segmentBytes) {
        if (run.length > 0) syncs += await this.writeRun(run, runBytes, runCount);
        run = [];
        runBytes = runCount = 0;
        await this.roll();
      }
      run.push(chunk);
      runBytes += chunk.length;
      runCount += counts[i]!;
    }
    if (run.length > 0) syncs += await this.writeRun(run, runBytes, runCount);
    return syncs;
  }

  private async writeRun(run: Buffer[], bytes: number, count: number): Promise<number> {
    const segment = this.segments[this.segments.length - 1]!;
    const { bytesWritten } = await this.active.writev(run, segment.size);
    if (bytesWritten !== bytes) throw new StrataError('STRATA_INTERNAL', `event log: short write (${bytesWritten} of ${bytes} bytes)`);
    await this.active.datasync();
    segment.size += bytes;
    this.next += count;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    return 1;
  }

  private async roll(): Promise<void> {
    const next = await open(join(this.dir, segmentFileName(this.next)), 'wx+');
    await syncDirectory(this.dir); // the new file's directory entry must survive a crash
    await this.active.close();
    this.active = next;
    this.segments.push({ base: this.next, size: 0 });
  }

  /** Resolves once the end passes `offset`, or after `timeoutMs` (a poll fallback). */
  waitBeyond(offset: number, timeoutMs: number): Promise<void> {
    if (this.next > offset) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
    });
  }

  /** Wakes every waiting reader, e.g. so that a stopping subscription notices at once. */
  wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** A reader positioned at `from` (clamped to the log's bounds). */
  async reader(from: number): Promise<PartitionReader> {
    const target = Math.min(Math.max(from, this.startOffset), this.next);
    const segment = [...this.segments].reverse().find((s) => s.base <= target)!;
    const reader = new PartitionReader(this.partition, this.dir, this.segments, segment.base);
    while (reader.offset < target) {
      const skipped = await reader.read(Math.min(target - reader.offset, 100_000), 4 << 20);
      if (skipped.length === 0) break;
    }
    return reader;
  }

  async close(): Promise<void> {
    this.wakeAll();
    await this.active.close();
  }
}
