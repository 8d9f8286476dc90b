/**
 * Durable committed positions per consumer group for the local log: one small JSON file per
 * group, replaced atomically (temp file, fsync, rename, fsync of the directory) so a crash
 * leaves either the old positions or the new ones, never a torn file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { replaceFileAtomically, syncDirectory } from '../durable-fs';
import { join } from 'node:path';
import type { LogPositions } from './eventlog';

export interface GroupStore {
  /** The committed positions of a group (empty when it never committed). */
  load(group: string): Promise<LogPositions>;
  /** Merges positions into the group's and makes them durable; saves land in call order. */
  save(group: string, positions: LogPositions): Promise<void>;
}

/** Opens (creating if needed) the group store in `dir`. */
export async function openGroupStore(dir: string): Promise<GroupStore> {
  await mkdir(dir, { recursive: true });
  await syncDirectory(join(dir, '..'));
  const cache = new Map<string, LogPositions>();
  // Saves of one group are chained so that an older commit never overwrites a newer one.
  const chains = new Map<string, Promise<void>>();
  // encodeURIComponent keeps any group name a single, safe file name.
  const fileOf = (group: string): string => join(dir, `${encodeURIComponent(group)}.json`);
  let tmpSeq = 0;

  async function load(group: string): Promise<LogPositions> {
    const cached = cache.get(group);
    if (cached) return new Map(cached);
    let positions: LogPositions = new Map();
    try {
      const parsed = JSON.parse(await readFile(fileOf(group), 'utf8')) as Record<string, number>;
      positions = new Map(Object.entries(parsed).map(([p, o]) => [Number(p), o]));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    cache.set(group, positions);
    return new Map(positions);
  }

  async function write(group: string, positions: LogPositions): Promise<void> {
    const file = fileOf(group);
    const tmp = `${file}.tmp-${process.pid}-${tmpSeq++}`;
    await replaceFileAtomically(file, tmp, JSON.stringify(Object.fromEntries(positions)));
  }

  function save(group: string, positions: LogPositions): Promise<void> {
    for (const [partition, offset] of positions) {
      if (!Number.isSafeInteger(partition) || partition < 0 || !Number.isSafeInteger(offset) || offset < 0) {
        return Promise.reject(new RangeError(`"positions" has invalid entry ${partition} → ${offset}`));
      }
    }
    const next = (chains.get(group) ?? Promise.resolve()).catch(() => {}).then(async () => {
      const merged = await load(group);
      for (const [partition, offset] of positions) merged.set(partition, offset);
      await write(group, merged);
      cache.set(group, merged);
    });
    chains.set(group, next);
    return next;
  }

  return { load, save };
}

