import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardsContract } from '../../test/support/dashboards-contract';
import { createFsObjectStore } from '../../infra/objectstore/fs';
import { expressApp } from '../app';
import { createDashboardStore } from '../dashboard-store';
import { dashboardsRouter } from './dashboards';

let server: Server;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'strata-dashboards-'));

beforeAll(async () => {
  // The embedded object store: a directory. The S3 adapter runs the same contract in test/e2e-distributed.
  const dashboards = createDashboardStore(createFsObjectStore({ root: dir }));
  server = createServer(expressApp(pino({ level: 'silent' }), [dashboardsRouter({ dashboards, openLoopback: true })])).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/v1/dashboards on a directory', () => dashboardsContract(() => base, 'ui'));

describe('/v1/dashboards without a store', () => {
  it('answers 503 with the reason', async () => {
    const app = createServer(expressApp(pino({ level: 'silent' }), [dashboardsRouter({ openLoopback: true })])).listen(0, '127.0.0.1');
    await once(app, 'listening');
    const res = await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/v1/dashboards`);
    app.close();
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'STRATA_UNAVAILABLE', message: 'saved dashboards are not available in this process' } });
  });
});
