/**
 * The fold's own thread: decodes log records and folds their events into 1-minute deltas, off the
 * event loop that serves ingest. Decoding and folding were about 40% of an embedded process's main
 * thread under load; here they use the second core.
 */
import { parentPort } from 'node:worker_threads';
import { CUBES } from '../core/dimensions';
import { decodeEvents } from '../core/event';
import { createBucketFold } from './buckets';
import type { FoldReply, FoldRequest } from './fold-protocol';

const port = parentPort;
if (!port) throw new Error('fold-worker must run in a worker thread');

const fold = createBucketFold(CUBES);
let oldest = Infinity;
let newest = 0;
let undecodable = 0;

port.on('message', (request: FoldRequest) => {
  if (request.type === 'records') {
    const bytes = new Uint8Array(request.buffer);
    let start = 0;
    for (const end of request.ends) {
      const events = decodeEvents(Buffer.from(bytes.buffer, start, end - start));
      start = end;
      if (!events) {
        undecodable++;
        continue;
      }
      for (const event of events) {
        fold.add(event);
        if (event.received_at < oldest) oldest = event.received_at;
        if (event.received_at > newest) newest = event.received_at;
      }
    }
    return;
  }
  const events = fold.pending;
  const rows = [...fold.drain()].map(([cube, cubeRows]) => [cube.name, cubeRows] as const);
  const reply: FoldReply = { id: request.id, events, rows, oldest, newest, undecodable };
  oldest = Infinity;
  newest = 0;
  undecodable = 0;
  port.postMessage(reply);
});
