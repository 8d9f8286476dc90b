/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids sort by creation time.
 * Random bytes come from a pooled buffer: one CSPRNG call per 4096 ids instead of one per id,
 * which showed up as 5% of ingest CPU.
 */
import { randomFillSync } from 'node:crypto';

const POOL_IDS = 4096;
const pool = Buffer.alloc(POOL_IDS * 10);
let offset = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidv7(now = Date.now()): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const r = offset;
  offset += 10;
  const ms = now.toString(16).padStart(12, '0');
  const h = (i: number) => HEX[pool[r + i] as number] as string;
  const variant = HEX[((pool[r + 2] as number) & 0x3f) | 0x80] as string;
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${h(0).slice(1)}${h(1)}-${variant}${h(3)}-${h(4)}${h(5)}${h(6)}${h(7)}${h(8)}${h(9)}`;
}
