#!/usr/bin/env -S node --no-memory-reducer
// The `strata` command: sizes the libuv pool, registers the TypeScript loader, then runs the CLI.
//
// Run it with `node --no-memory-reducer` (as here, in package.json, the bench and the images): V8's
// memory reducer takes a busy server whose main thread allocates little for an idle one. About 100 s
// into a steady 51,000 events/s it shrank the main heap to its live size, and from then on a major
// collection ran every 0.5-1 s (89 in 150 s, against 2 without it), the marking threads' CPU grew
// fourfold and the archive's writes slowed with it. The flag cannot be set from NODE_OPTIONS, nor
// at run time for the main thread's heap, which exists before any code runs.
// Each running chdb query holds a libuv worker thread, and the default 4 starves concurrent queries;
// the pool is created on first use, so setting this before anything touches it is enough.
process.env.UV_THREADPOOL_SIZE ??= '8';
const { register } = await import('tsx/esm/api');
register();
await import('../cli/strata.ts');
