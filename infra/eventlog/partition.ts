/**
 * Key → partition, shared by every event log adapter so that embedded and Kafka agree.
 * This is Kafka's default partitioner (Java `Utils.murmur2`, `toPositive(h) % n`), so a Kafka
 * client that partitions by itself would land each key where we do.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 over the key's first `length` bytes, as a signed 32-bit int (like Java's). */
export function murmur2(data: Uint8Array, length = data.length): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) | 0;
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last 1–3 bytes, as the Java original's fall-through switch does them.
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a key: stable across processes, restarts and adapters. */
export function partitionFor(key: string | Uint8Array, partitions: number): number {
  if (typeof key !== 'string') return (murmur2(key) & 0x7fffffff) % partitions;
  const ascii = asciiBytes(key);
  const hash = ascii >= 0 ? murmur2(scratch, ascii) : murmur2(Buffer.from(key, 'utf8'));
  return (hash & 0x7fffffff) % partitions;
}

/** Reused for ASCII keys, whose UTF-8 bytes are their char codes. */
let scratch = new Uint8Array(256);

/**
 * Copies an ASCII key's bytes into `scratch` and returns their count, or -1 for any other key.
 * Ingest partitions every event: a Buffer per key was 7% of an ingest thread's time.
 */
function asciiBytes(key: string): number {
  const length = key.length;
  if (length > scratch.length) scratch = new Uint8Array(length * 2);
  for (let i = 0; i < length; i++) {
    const code = key.charCodeAt(i);
    if (code > 0x7f) return -1;
    scratch[i] = code;
  }
  return length;
}
