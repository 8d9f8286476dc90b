/**
 * Ownership of a local log directory. Two writers would corrupt a log, so a directory is
 * claimed by one open at a time: a pid LOCK file across processes, a set within this one. The
 * partition count is pinned to the directory, since a different count moves keys between
 * partitions.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { writeFileSynced } from '../durable-fs';
import { join, resolve } from 'node:path';
import { StrataError } from '../../core/errors';

/** Directories open in this process: the pid lock cannot tell two opens by one process apart. */
const openDirs = new Set<string>();

/**
 * Claims `dir` (creating it) for a log of `partitions`, or of as many as the directory already has
 * when not given (a new one gets `fallback`); resolves to the release function and the count.
 */
export async function claimLogDir(dir: string, asked: number | undefined, fallback: number): Promise<{ release: () => Promise<void>; partitions: number }> {
  const key = resolve(dir);
  if (openDirs.has(key)) throw new StrataError('STRATA_UNAVAILABLE', `event log ${dir} is already open in this process`);
  openDirs.add(key);
  const lockFile = join(dir, 'LOCK');
  const release = async (): Promise<void> => {
    await rm(lockFile, { force: true });
    openDirs.delete(key);
  };
  let locked = false;
  let partitions = asked ?? fallback;
  try {
    await mkdir(dir, { recursive: true });
    const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new StrataError('STRATA_UNAVAILABLE', `event log ${dir} is in use by process ${holder} (remove ${lockFile} if it is not)`);
    }
    await writeFileSynced(lockFile, String(process.pid));
    locked = true;
    const metaFile = join(dir, 'meta.json');
    const meta = await readFile(metaFile, 'utf8').then((text) => JSON.parse(text) as { partitions: number }, () => undefined);
    if (meta && asked !== undefined && meta.partitions !== asked) {
      throw new StrataError('STRATA_INVALID_CONFIG', `"partitions" has invalid value ${asked}: the event log in ${dir} has ${meta.partitions}`);
    }
    if (meta) partitions = meta.partitions;
    if (!meta) await writeFileSynced(metaFile, JSON.stringify({ partitions }));
  } catch (err) {
    // Another process's lock stays; only this open's own claim is undone.
    if (locked) await release();
    else openDirs.delete(key);
    throw err;
  }
  return { release, partitions };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

