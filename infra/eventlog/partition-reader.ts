/**
 * Sequential reads of one partition of the local log. A reader sees the segment list that the
 * writer keeps, whose sizes grow only after fsync, so it never returns bytes that a crash could
 * still take back.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '../../core/errors';
import type { LogRecord } from './eventlog';
import { FRAME_HEADER_BYTES, decodeFrames, segmentFileName, type Segment } from './segment';

/** Reads a partition sequentially from a position, never past the durable end. */
export class PartitionReader {
  private handle: FileHandle | undefined;
  private pos = 0;
  offset: number;

  constructor(
    private readonly partition: number,
    private readonly dir: string,
    private readonly segments: readonly Segment[],
    private base: number,
  ) {
    this.offset = base;
  }

  /** The next records (up to the limits), or none when the reader is at the end. */
  async read(maxRecords: number, maxBytes: number): Promise<LogRecord[]> {
    let index = this.segments.findIndex((s) => s.base === this.base);
    let segment = this.segments[index]!;
    if (this.pos >= segment.size) {
      const following = this.segments[index + 1];
      if (!following) return [];
      await this.handle?.close();
      this.handle = undefined;
      this.base = following.base;
      this.pos = 0;
      index += 1;
      segment = following;
    }
    this.handle ??= await open(join(this.dir, segmentFileName(this.base)), 'r');
    const available = segment.size - this.pos;
    if (available === 0) return [];
    let decoded = decodeFrames(await this.readAt(Math.min(available, maxBytes)), maxRecords);
    if (decoded.messages.length === 0 && decoded.stop === 'partial') {
      // A single record larger than maxBytes (or than the header we read): read it whole.
      const header = await this.readAt(Math.min(available, FRAME_HEADER_BYTES));
      decoded = decodeFrames(await this.readAt(Math.min(available, 8 + header.readUInt32BE(0))), 1);
    }
    if (decoded.messages.length === 0) {
      throw new StrataError('STRATA_INTERNAL', `event log: corrupt record in partition ${this.partition} segment ${this.base} at byte ${this.pos}`);
    }
    const records = decoded.messages.map((m, i) => ({ key: m.key, value: m.value, partition: this.partition, offset: this.offset + i }));
    this.pos += decoded.bytes;
    this.offset += records.length;
    return records;
  }

  private async readAt(length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafeSlow(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle!.read(buf, done, length - done, this.pos + done);
      if (bytesRead === 0) throw new StrataError('STRATA_INTERNAL', `event log: segment ${this.base} ended early`);
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}
