/**
 * On-disk framing of the local log. A segment file holds frames back to back:
 *   [length u32][crc32 u32][key length u16][key][value]
 * `length` counts the bytes after the crc (key length field, key, value); the crc covers the
 * same bytes. Offsets are not stored: a record's offset is the segment's base offset (its file
 * name) plus its index in the file, which is why only whole frames are ever made visible.
 */
import { crc32 } from 'node:zlib';
import type { LogMessage } from './eventlog';

export const FRAME_HEADER_BYTES = 10;

/** A segment file of a partition, as its writer and readers share it. */
export interface Segment {
  /** Offset of the first record, and the file's name. */
  base: number;
  /** Durable bytes: the writer advances it only after fsync. */
  size: number;
}
const MAX_KEY_BYTES = 0xffff;
/** The u32 length field caps a frame; a record this large is a bug upstream anyway. */
const MAX_FRAME_BYTES = 0xffffffff;

/**
 * Encodes messages into one buffer of frames, so a whole append call is one write. `keys` may
 * carry the keys already encoded as UTF-8 (the partitioner needed them too).
 */
export function encodeFrames(messages: readonly LogMessage[], keys: readonly Buffer[] = messages.map((m) => Buffer.from(m.key, 'utf8'))): Buffer {
  let total = 0;
  for (let i = 0; i < messages.length; i++) {
    const key = keys[i]!;
    if (key.length > MAX_KEY_BYTES) throw new RangeError(`"key" has invalid length ${key.length} (max ${MAX_KEY_BYTES} bytes)`);
    const length = 2 + key.length + messages[i]!.value.length;
    if (length > MAX_FRAME_BYTES) throw new RangeError(`"value" has invalid length ${messages[i]!.value.length}`);
    total += FRAME_HEADER_BYTES - 2 + length;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < messages.length; i++) {
    const key = keys[i]!;
    const value = messages[i]!.value;
    const length = 2 + key.length + value.length;
    out.writeUInt32BE(length, pos);
    out.writeUInt16BE(key.length, pos + 8);
    key.copy(out, pos + 10);
    value.copy(out, pos + 10 + key.length);
    out.writeUInt32BE(crc32(out.subarray(pos + 8, pos + 8 + length)), pos + 4);
    pos += 8 + length;
  }
  return out;
}

export interface DecodedFrames {
  messages: LogMessage[];
  /** Bytes consumed by the decoded messages: the position of the first frame not returned. */
  bytes: number;
  /**
   * Why decoding stopped: `end` (buffer or record limit reached on a frame boundary), `partial`
   * (the next frame continues past the buffer; `needed` is its size when the header was read),
   * or `corrupt` (bad length or crc: a torn write or damage).
   */
  stop: 'end' | 'partial' | 'corrupt';
  needed?: number;
}

/**
 * Decodes whole frames from the start of `buf`, at most `maxRecords`. Values are views into
 * `buf` (no copy), so callers hand out a fresh buffer per read.
 */
export function decodeFrames(buf: Buffer, maxRecords = Infinity): DecodedFrames {
  const messages: LogMessage[] = [];
  let pos = 0;
  while (messages.length < maxRecords) {
    if (pos === buf.length) return { messages, bytes: pos, stop: 'end' };
    if (buf.length - pos < FRAME_HEADER_BYTES) return { messages, bytes: pos, stop: 'partial' };
    const length = buf.readUInt32BE(pos);
    const keyLength = buf.readUInt16BE(pos + 8);
    if (length < 2 + keyLength) return { messages, bytes: pos, stop: 'corrupt' };
    const end = pos + 8 + length;
    if (end > buf.length) return { messages, bytes: pos, stop: 'partial', needed: 8 + length };
    if (crc32(buf.subarray(pos + 8, end)) !== buf.readUInt32BE(pos + 4)) {
      return { messages, bytes: pos, stop: 'corrupt' };
    }
    const keyEnd = pos + 10 + keyLength;
    messages.push({ key: buf.toString('utf8', pos + 10, keyEnd), value: buf.subarray(keyEnd, end) });
    pos = end;
  }
  return { messages, bytes: pos, stop: 'end' };
}

/** Segment files are named by base offset, zero-padded so that names sort like offsets. */
export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const match = /^(\d{20})\.log$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
