/** A thread for threads.test.ts: answers each request with its own id and text. */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', ({ id, text }: { id: number; text: string }) => parentPort?.postMessage({ id, text }));
