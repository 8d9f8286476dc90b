// Worker threads do not inherit the TypeScript loader that the main thread registered.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-worker.ts');
