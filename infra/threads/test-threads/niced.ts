// Test thread: renices itself as asked and answers with its own nice value and the process's.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { niceThisThread } from '../priority';

/** Field 19 of /proc/<…>/stat, counted after the parenthesised command name. */
const niceOf = (statPath: string): number => Number(readFileSync(statPath, 'utf8').split(') ')[1]?.split(' ')[16]);

parentPort?.on('message', ({ id, nice }: { id: number; nice: number }) => {
  const done = niceThisThread(nice);
  parentPort?.postMessage({ id, done, thread: niceOf('/proc/thread-self/stat'), process: niceOf('/proc/self/stat') });
});
