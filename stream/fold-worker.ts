/**
 * The fold's own thread: decodes log records, decides each event's dimension values (enriched from
 * the profile, capped by the dictionary) and whether it starts a session, then folds it into
 * 1-minute deltas and collects it for the archive. It runs off the event loop that serves ingest.
 *
 * Messages are handled strictly in order. A batch that needs profiles asks the main thread and
 * waits; everything after it queues behind, so a drain still covers exactly what was sent before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BUILT_IN_DIMENSIONS, OTHER_VALUE, SPEED_CUBES } from '../core/dimensions';
import { type NormalizedEvent, decodeEvents } from '../core/event';
import { dimensionValue, revenueMicros, speedInputColumns, speedInputTable } from '../core/rollups';
import { niceThisThread } from '../infra/threads/priority';
import type { ThreadData } from '../infra/threads/threads';
import { createArchiveBuffer } from './archive/archive-buffer';
import { createBucketFold, speedInputValues } from './buckets';
import { OTHER_ID, createDictionary } from './dictionary';
import { type Profile, createProfileCache } from './enrichment/profile-cache';
import type { FoldReply, FoldRequest, FoldThreadData, ProfileLookup } from './fold-protocol';
import { SESSION_GAP_MS, createSessionTracker } from './sessions';

if (!parentPort) throw new Error('fold-worker must run in a worker thread');
const port = parentPort;
// Ingest first: acknowledging an event makes it durable, folding it only makes it fresh. On a
// machine ingest saturates, the fold gets the CPU that ingest leaves, and the log holds the rest.
// Measured on 2 cores: 210K-236K events/s at most, against 146K-173K at nice 0 (three paired
// runs); 51,000 a second offered for 150 s was still folded as it came.
niceThisThread(19);

const fold = createBucketFold(SPEED_CUBES);
const { spoolDir } = (workerData as ThreadData<FoldThreadData>).data as FoldThreadData;
const archive = createArchiveBuffer(spoolDir);
const dictionary = createDictionary();
const sessions = createSessionTracker();
const profiles = createProfileCache();
const encoder = new TextEncoder();
const DIMENSIONS = BUILT_IN_DIMENSIONS.length;
let oldest = Infinity;
let newest = 0;
let undecodable = 0;

/** Lookups asked of the main thread, by ask number. */
const asked = new Map<number, (found: [string, Profile | null][]) => void>();
let nextAsk = 0;

function lookup(tenant: string, userIds: string[]): Promise<void> {
  const ask = nextAsk++;
  return new Promise((done) => {
    asked.set(ask, (found) => {
      profiles.learn(tenant, found);
      done();
    });
    const message: ProfileLookup = { ask, tenant, userIds };
    port.postMessage(message);
  });
}

interface DecodedRecord { offset: number; events: NormalizedEvent[] }

function decode(request: Extract<FoldRequest, { type: 'records' }>): DecodedRecord[] {
  const bytes = new Uint8Array(request.buffer);
  const out: DecodedRecord[] = [];
  let start = 0;
  request.ends.forEach((end, r) => {
    const offset = request.offsets[r] as number;
    archive.noteRecord(request.partition, offset);
    const events = decodeEvents(Buffer.from(bytes.buffer, start, end - start));
    start = end;
    if (events) out.push({ offset, events });
    else undecodable++;
  });
  return out;
}

/** The event's dimension values, as sent, into `values` (reused from event to event). */
function readValues(event: NormalizedEvent, values: string[]): void {
  for (let d = 0; d < DIMENSIONS; d++) values[d] = dimensionValue(event, BUILT_IN_DIMENSIONS[d] as (typeof BUILT_IN_DIMENSIONS)[number]);
}

/** Asks the main thread for the profiles this batch needs and does not have. */
async function lookupProfiles(records: DecodedRecord[], values: string[]): Promise<void> {
  const wanted = new Map<string, Set<string>>();
  for (const { events } of records) {
    for (const event of events) {
      if (event.user_id === null || !profiles.covers(event.tenant)) continue;
      readValues(event, values);
      if (!profiles.needsLookup(event.tenant, event.user_id, values)) continue;
      let users = wanted.get(event.tenant);
      if (!users) wanted.set(event.tenant, (users = new Set()));
      users.add(event.user_id);
    }
  }
  await Promise.all([...wanted].map(([tenant, users]) => lookup(tenant, [...users])));
}

// One array each for the event being folded: the fold and the archive copy what they keep.
const values = new Array<string>(DIMENSIONS);
const ids = new Array<number>(DIMENSIONS);

async function onRecords(request: Extract<FoldRequest, { type: 'records' }>): Promise<void> {
  const records = decode(request);
  await lookupProfiles(records, values);
  for (const { offset, events } of records) {
    for (const event of events) {
      readValues(event, values);
      profiles.fill(event.tenant, event.user_id, values);
      for (let d = 0; d < DIMENSIONS; d++) {
        const id = dictionary.decide(event.tenant, d, values[d] as string);
        if (id === OTHER_ID) values[d] = OTHER_VALUE;
        ids[d] = id;
      }
      const start = event.user_id !== null && sessions.isStart(event.tenant, event.user_id, event.timestamp);
      fold.add(event, values, ids, start);
      archive.add(event, request.partition, offset, values, revenueMicros(event));
      if (event.received_at < oldest) oldest = event.received_at;
      if (event.received_at > newest) newest = event.received_at;
    }
  }
}

function onDrain(request: Extract<FoldRequest, { type: 'drain' }>): void {
  const events = fold.pending;
  // Serialised here, on this thread, and moved rather than cloned: the main thread hands the bytes
  // to the stores untouched.
  const drained = fold.drain();
  // Every event is folded into every cube, so the first cube's rows name every tenant.
  const tenants = [...new Set([...drained.values()][0]?.map((row) => row.tenant))];
  const rows = [...drained].map(([cube, cubeRows]) => ({
    table: speedInputTable(cube),
    columns: speedInputColumns(cube),
    // TextEncoder gives each body its own memory; a small Buffer.from would share the pool slab.
    body: encoder.encode(cubeRows.map((row) => `${JSON.stringify(speedInputValues(cube, row))}\n`).join('')),
    count: cubeRows.length,
  }));
  if (!request.archive) archive.seal();
  const chunks = request.archive ? archive.drain() : [];
  sessions.sweep(Date.now() - 2 * SESSION_GAP_MS);
  const reply: FoldReply = { id: request.id, events, rows, tenants, archive: chunks, admitted: dictionary.takeAdmitted(), oldest, newest, undecodable };
  oldest = Infinity;
  newest = 0;
  undecodable = 0;
  port.postMessage(reply, rows.map((r) => r.body.buffer as ArrayBuffer));
}

let queue: Promise<void> = Promise.resolve();

port.on('message', (request: FoldRequest) => {
  // Answers unblock a waiting batch, so they cannot queue behind it.
  if (request.type === 'profiles') {
    const answer = asked.get(request.ask);
    asked.delete(request.ask);
    answer?.(request.found);
    return;
  }
  queue = queue.then(() => {
    switch (request.type) {
      case 'records': return onRecords(request);
      case 'drain': return onDrain(request);
      case 'dictionary': return dictionary.learn(request.entries);
      case 'profiled-tenants': return profiles.setTenants(request.tenants);
    }
  }).catch((err: unknown) => {
    // A thread that cannot fold must not pretend to: dying fails the pending drain, and the speed
    // layer replays from its last commit on a fresh thread.
    setImmediate(() => {
      throw err;
    });
  });
});
