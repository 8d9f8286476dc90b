#!/usr/bin/env node
// The `strata` command: sizes the libuv pool, registers the TypeScript loader, then runs the CLI.
// Each running chdb query holds a libuv worker thread, and the default 4 starves concurrent queries;
// the pool is created on first use, so setting this before anything touches it is enough.
process.env.UV_THREADPOOL_SIZE ??= '8';
const { register } = await import('tsx/esm/api');
register();
await import('../cli/strata.ts');
