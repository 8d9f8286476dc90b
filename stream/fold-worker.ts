/**
 * The fold's own thread: decodes log records and folds their events into 1-minute deltas, off the
 * event loop that serves ingest. Decoding and folding were about 40% of an embedded process's main
 * thread under load; here they use the second core.
 */
import { parentPort } from 'node:worker_threads';
import { CUBES } from '../core/dimensions';
import { decodeEvents } from '../core/event';
import { speedInputTable } from '../core/rollups';
import { createBucketFold } from './buckets';
import type { FoldReply, FoldRequest } from './fold-protocol';

const port = parentPort;
if (!port) throw new Error('fold-worker must run in a worker thread');

const fold = createBucketFold(CUBES);
const encoder = new TextEncoder();
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
  // Serialised here, on this thread, and moved rather than cloned: the main thread hands the bytes
  // to the store untouched.
  const rows = [...fold.drain()].map(([cube, cubeRows]) => ({
    table: speedInputTable(cube),
    // TextEncoder gives each body its own memory; a small Buffer.from would share the pool slab.
    body: encoder.encode(cubeRows.map((row) => `${JSON.stringify(row)}\n`).join('')),
    count: cubeRows.length,
  }));
  const reply: FoldReply = { id: request.id, events, rows, oldest, newest, undecodable };
  oldest = Infinity;
  newest = 0;
  undecodable = 0;
  port.postMessage(reply, rows.map((r) => r.body.buffer as ArrayBuffer));
});
