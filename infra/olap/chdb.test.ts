import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createChdbStore } from './chdb';
import { threadsBeside } from './chdb-engine';
import { olapContract } from './contract';

// chdb binds one data directory per process, so every store in this file shares this one.
const dir = mkdtempSync(join(tmpdir(), 'strata-chdb-'));
const database = () => `strata_test_${randomBytes(4).toString('hex')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

olapContract('chdb', () => createChdbStore({ path: dir, database: database() }));

describe('chdb store', () => {
  it('refuses a second data directory in the same process', async () => {
    const store = await createChdbStore({ path: dir, database: database() });
    try {
      await expect(createChdbStore({ path: join(dir, 'other'), database: database() })).rejects.toThrow(/one data directory per process/);
    } finally {
      await store.exec(`DROP DATABASE ${store.database}`);
      await store.close();
    }
  });

  it('shares the directory between stores on different databases', async () => {
    const a = await createChdbStore({ path: dir, database: database() });
    const b = await createChdbStore({ path: dir, database: database() });
    try {
      await a.exec(`CREATE TABLE ${a.table('t')} (x UInt8) ENGINE = Memory`);
      await a.insert('t', [{ x: 1 }]);
      expect(await b.query(`SELECT x FROM ${a.table('t')}`)).toEqual([{ x: 1 }]);
    } finally {
      await a.exec(`DROP DATABASE ${a.database}`);
      await b.exec(`DROP DATABASE ${b.database}`);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('shares the cores among queries running at once, and gives a lone query the default', async () => {
    const store = await createChdbStore({ path: dir, database: database() });
    try {
      const threads = "SELECT toUInt32(getSetting('max_threads')) AS t, sleep(0.05) AS pause";
      const [alone] = await store.query<{ t: number }>(threads);
      expect(alone?.t).toBe(availableParallelism());
      // Three at once: each starts with the other two running or queued.
      const together = await Promise.all([1, 2, 3].map(() => store.query<{ t: number }>(threads)));
      expect(together.map(([row]) => row?.t)).toEqual([1, 2, 3].map(() => threadsBeside(2)));
    } finally {
      await store.exec(`DROP DATABASE ${store.database}`);
      await store.close();
    }
  });

  it('splits the cores evenly, one thread at least', () => {
    expect(threadsBeside(0, 8)).toBeUndefined();
    expect(threadsBeside(1, 8)).toBe(4);
    expect(threadsBeside(2, 8)).toBe(2);
    expect(threadsBeside(3, 2)).toBe(1);
  });

  it('refuses a database name that is not a plain identifier', async () => {
    await expect(createChdbStore({ path: dir, database: 'x`; DROP' })).rejects.toThrow(/invalid name/);
  });
});
