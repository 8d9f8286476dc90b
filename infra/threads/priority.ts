/**
 * Thread priorities. Linux schedules each thread on its own, with a nice value of its own, so a
 * thread that only catches up on work can yield the cores to the ones that answer clients.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Sets the calling thread's nice value (up to 19, the lowest priority). Only on Linux: elsewhere
 * setpriority takes a process id, and would lower the whole process. Returns whether it did.
 */
export function niceThisThread(nice: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // "<pid>/task/<tid>": setpriority on a thread id renices that thread alone.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
