/**
 * Crash-safe file writes, shared by the adapters that keep state on local disk (the event log's
 * positions and metadata, the directory object store).
 */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes a whole file and fsyncs it before resolving. `flag` 'wx' refuses an existing file. */
export async function writeFileSynced(file: string, data: string | Uint8Array, flag: 'w' | 'wx' = 'w'): Promise<void> {
  const handle = await open(file, flag);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a directory so that an entry created or renamed in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` atomically: the data goes to `temp` (in the same directory), is fsynced, and is
 * renamed over the target, so a crash leaves the old file or the new one, never a torn one. The
 * directory is synced only when `syncDir` is true; some callers sync more than one level.
 */
export async function replaceFileAtomically(file: string, temp: string, data: string | Uint8Array, syncDir = true): Promise<void> {
  try {
    await writeFileSynced(temp, data, 'wx');
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  if (syncDir) await syncDirectory(dirname(file));
}
