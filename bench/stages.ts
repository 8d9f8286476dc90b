/**
 * What one event costs in each stage of the embedded pipeline, measured stage by stage on one
 * thread with the bench's events: parse, validate, log, consume, bucket, flush, archive. The stages
 * run on different threads in production; this says where the CPU goes, not how fast it runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { BUILT_IN_DIMENSIONS, OTHER_VALUE, SPEED_CUBES } from '../core/dimensions';
import { type NormalizedEvent, decodeEvents, encodeEvents, normalizeEvent } from '../core/event';
import { dimensionValue, revenueMicros, speedInputColumns, speedInputTable } from '../core/rollups';
import { createLocalLog } from '../infra/eventlog/local-log';
import { createFsObjectStore } from '../infra/objectstore/fs';
import { createChdbStore } from '../infra/olap/chdb';
import { ensureRollupSchema } from '../infra/olap/schema';
import { createArchiveBuffer } from '../stream/archive/archive-buffer';
import { createParquetWriter } from '../stream/archive/parquet-writer';
import { createBucketFold, speedInputValues } from '../stream/buckets';
import { OTHER_ID, createDictionary } from '../stream/dictionary';
import { createSessionTracker } from '../stream/sessions';
import { makeBodies } from './events';

export type StageCosts = Record<'parse' | 'validate' | 'log' | 'consume' | 'bucket' | 'flush' | 'archive', number>;

const BODIES = 200;
const PER_BODY = 100;

export async function benchStages(): Promise<StageCosts> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-stages-'));
  const bodies = makeBodies(BODIES, PER_BODY);
  const n = BODIES * PER_BODY;
  const us = (ms: number) => Math.round((ms * 1000) / n * 100) / 100;
  const time = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
    const t = performance.now();
    const out = await f();
    return [out, performance.now() - t];
  };
  const logger = pino({ level: 'silent' });
  const log = await createLocalLog({ dir: join(dir, 'log'), logger });
  const olap = await createChdbStore({ path: join(dir, 'olap'), database: 'stages' });
  const objects = createFsObjectStore({ root: join(dir, 'objects') });
  const writer = await createParquetWriter({ objects, tmpDir: join(dir, 'tmp') });
  try {
    await ensureRollupSchema(olap);
    // A first pass warms the JIT; the second is measured.
    let costs: StageCosts | undefined;
    for (let pass = 0; pass < 2; pass++) {
      const receivedAt = Date.now();
      const [parsed, parse] = await time(() => bodies.map((b) => JSON.parse(b) as unknown[]));
      const [events, validate] = await time(() => parsed.flat().map((raw) => {
        const r = normalizeEvent(raw, { tenant: 'bench', receivedAt });
        if (!r.ok) throw new Error(r.message);
        return r.event;
      }));
      const [records, logCost] = await time(async () => {
        const values = [];
        for (let b = 0; b < BODIES; b++) values.push(encodeEvents(events.slice(b * PER_BODY, (b + 1) * PER_BODY)));
        await Promise.all(values.map((value, b) => log.append([{ key: `k${b}`, value }])));
        return values;
      });
      const [decoded, consume] = await time(() => records.flatMap((r) => decodeEvents(r) as NormalizedEvent[]));
      const fold = createBucketFold(SPEED_CUBES);
      const dictionary = createDictionary();
      const sessions = createSessionTracker();
      const archive = createArchiveBuffer(join(dir, 'spool'));
      const decided: string[][] = [];
      const [, bucket] = await time(() => decoded.forEach((event) => {
        const values = BUILT_IN_DIMENSIONS.map((d) => dimensionValue(event, d));
        const ids = values.map((value, i) => dictionary.decide(event.tenant, i, value));
        ids.forEach((id, i) => id === OTHER_ID && (values[i] = OTHER_VALUE));
        decided.push(values);
        fold.add(event, values, ids, event.user_id !== null && sessions.isStart(event.tenant, event.user_id, event.timestamp));
      }));
      const [, flush] = await time(async () => {
        for (const [cube, rows] of fold.drain()) {
          const body = Buffer.from(rows.map((row) => `${JSON.stringify(speedInputValues(cube, row))}\n`).join(''));
          await olap.insertRows(speedInputTable(cube), body, 'JSONCompactEachRow', speedInputColumns(cube));
        }
      });
      const [, archiveCost] = await time(async () => {
        decoded.forEach((event, i) => archive.add(event, 0, i, decided[i] as string[], revenueMicros(event)));
        archive.noteRecord(0, 0);
        for (const chunk of archive.drain()) await writer.write(chunk);
      });
      costs = { parse: us(parse), validate: us(validate), log: us(logCost), consume: us(consume), bucket: us(bucket), flush: us(flush), archive: us(archiveCost) };
    }
    return costs as StageCosts;
  } finally {
    await writer.close();
    await log.close();
    await olap.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
