// Every worker thread starts here: threads do not inherit the TypeScript loader the main thread
// registered, so this registers it and then imports the module named in workerData, then says so
// (threads.ts `loaded`): loading takes a core for a while, which a server should not yet be serving on.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
parentPort?.postMessage({ threadLoaded: true });
