// Every worker thread starts here: threads do not inherit the TypeScript loader the main thread
// registered, so this registers it and then imports the module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
