import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homeDir } from './paths';
import { waitFor, type Log } from './process';

function holderAlive(path: string): boolean {
  try {
    process.kill(Number(readFileSync(path, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Serialises a step across processes (two terminals, or the CLI and vitest at once), so a
 * multi-minute `go install` never runs twice into the same cache and a service is never started
 * twice on its port. A lock whose holder has died is taken over.
 */
export async function withLock<T>(name: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const path = join(homeDir('locks'), `${name}.lock`);
  let announced = false;
  await waitFor(() => {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch {
      if (!holderAlive(path)) rmSync(path, { force: true });
      else if (!announced) {
        announced = true;
        log(`${name}: waiting for another process that holds this step`);
      }
      return false;
    }
  }, { timeoutMs: 45 * 60_000, what: `the ${name} lock`, intervalMs: 1_000 });
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
