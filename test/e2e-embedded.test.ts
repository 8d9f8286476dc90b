/**
 * The embedded mode end to end: `strata start` as its own process, on its own data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNode, type Running } from '../bench/processes';
import { call, eventually, post } from './support/http';
import { groundTruth } from './support/ground-truth';
import { dashboardsContract } from './support/dashboards-contract';
import { queryContract } from './support/query-contract';
import { seedCalls } from './support/seed-calls';

let strata: Running;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'strata-e2e-'));
  const port = await freePort();
  strata = await startNode('bin/strata.mjs', ['start'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/healthz');
});

afterAll(async () => {
  await strata?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded: the seed example calls', () => seedCalls(() => strata.url));
describe('embedded: saved dashboards and the UI at /', () => {
  dashboardsContract(() => strata.url, 'dash');
  it('serves the dashboard at / and /query, with cacheable assets', async () => {
    const page = await call<string>(`${strata.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${strata.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await call(`${strata.url}/query`)).status).toBe(200);
    expect((await call(`${strata.url}/assets/missing.js`)).body).toMatchObject({ error: { code: 'STRATA_NOT_FOUND' } });
  });
});

describe('embedded: ingest contract', () => {
  const tenant = { 'strata-tenant': 'ingest' };

  it('accepts {"events":[…]}, a single object, gzip and NDJSON', async () => {
    expect((await post(`${strata.url}/v1/events`, { events: [{ event: 'a' }, { event: 'b' }] }, tenant)).body).toEqual({ status: 'accepted', count: 2 });
    expect((await post(`${strata.url}/v1/events`, { event: 'a' }, tenant)).body).toEqual({ status: 'accepted', count: 1 });
    const gz = await call(`${strata.url}/v1/events`, { method: 'POST', headers: { ...tenant, 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify([{ event: 'a' }])) });
    expect(gz.body).toEqual({ status: 'accepted', count: 1 });
    const nd = await call(`${strata.url}/v1/events`, { method: 'POST', headers: { ...tenant, 'content-type': 'application/x-ndjson' }, body: '{"event":"a"}\n{"event":"b"}\n' });
    expect(nd.body).toEqual({ status: 'accepted', count: 2 });
  });

  it('reports partial batches with per-event errors', async () => {
    const reply = await post(`${strata.url}/v1/events`, [{ event: 'ok' }, { nope: 1 }, { event: 'x', event_id: 'id-1' }], tenant);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      status: 'partial', count: 1,
      errors: [
        { index: 1, code: 'STRATA_INVALID_EVENT', message: '"event" is required' },
        { index: 2, code: 'STRATA_INVALID_EVENT', message: '"event_id" requires a "timestamp", so that a retry lands in the same hour' },
      ],
    });
  });

  it('answers bad bodies with the error envelope', async () => {
    const invalid = await post(`${strata.url}/v1/events`, '{"event":', tenant);
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: { code: 'STRATA_INVALID_JSON' } });
    const empty = await post(`${strata.url}/v1/events`, [], tenant);
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: { code: 'STRATA_INVALID_EVENT', errors: [] } });
    const allBad = await post(`${strata.url}/v1/events`, [{ x: 1 }], tenant);
    expect(allBad.status).toBe(400);
    expect(allBad.body).toMatchObject({ error: { code: 'STRATA_INVALID_EVENT', errors: [{ index: 0 }] } });
    const tooMany = await post(`${strata.url}/v1/events`, Array.from({ length: 1001 }, () => ({ event: 'a' })), tenant);
    expect(tooMany.status).toBe(413);
    const tooBig = await post(`${strata.url}/v1/events`, [{ event: 'a', blob: 'x'.repeat(1024 * 1024) }], tenant);
    expect(tooBig.status).toBe(413);
    const notUtf8 = await call(`${strata.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x5b, 0xff, 0x5d]) });
    expect(notUtf8.body).toMatchObject({ error: { code: 'STRATA_INVALID_JSON', message: 'the request body is not valid UTF-8' } });
    const media = await call(`${strata.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    expect(media.status).toBe(415);
  });
});

describe('embedded: metrics contract', () => {
  const tenant = { 'strata-tenant': 'metrics' };
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const at = (minute: number) => new Date(hour + minute * 60_000).toISOString();
  const get = <T>(query: string) => call<T>(`${strata.url}/v1/metrics?${query}`, { headers: tenant });

  beforeAll(async () => {
    const events = [
      { event: 'page_view', timestamp: at(1), user_id: 'u1', country: 'US', device: 'mobile', page: '/a' },
      { event: 'page_view', timestamp: at(1), user_id: 'u2', country: 'US', device: 'desktop', page: '/a' },
      { event: 'page_view', timestamp: at(2), user_id: 'u1', country: 'DE', device: 'mobile', page: '/b' },
      { event: 'page_view', timestamp: at(30), user_id: 'u3', country: 'FR|X', device: 'mobile', page: '/c' },
      { event: 'click', timestamp: at(3), user_id: 'u1', country: 'US', device: 'mobile' },
      { event: 'purchase', timestamp: at(4), user_id: 'u2', country: 'US', device: 'desktop', revenue: 0.1 },
      { event: 'purchase', timestamp: at(5), user_id: 'u2', country: 'US', device: 'desktop', revenue: '0.2' },
    ];
    expect((await post(`${strata.url}/v1/events`, events, tenant)).body).toEqual({ status: 'accepted', count: 7 });
    await eventually(async () => {
      const reply = await get<{ value: number }>('name=events&range=1d&granularity=all');
      return reply.body.value === 7 ? true : undefined;
    }, 'seven events to be queryable');
  });

  it('ranks a breakdown by the first metric, ties by key, and counts groups', async () => {
    const reply = await get<unknown[]>('name=page_views,unique_users&range=1d&group_by=country');
    expect(reply.body).toEqual([
      { country: 'US', page_views: 2, unique_users: 2, layer: 'speed' },
      { country: 'DE', page_views: 1, unique_users: 1, layer: 'speed' },
      { country: 'FR|X', page_views: 1, unique_users: 1, layer: 'speed' },
    ]);
    expect(reply.headers.get('strata-total-groups')).toBe('3');
    // Groups where every metric asked for is zero are left out.
    expect((await get<unknown[]>('name=page_views&range=1d&group_by=event')).body).toEqual([{ event: 'page_view', value: 4, layer: 'speed' }]);
    const top = await get<unknown[]>('name=page_views&range=1d&group_by=country&limit=1');
    expect(top.body).toEqual([{ country: 'US', value: 2, layer: 'speed' }]);
    expect(top.headers.get('strata-total-groups')).toBe('3');
  });

  it('sums revenue exactly and merges distinct users across buckets', async () => {
    expect((await get('name=revenue&range=1d&granularity=all')).body).toMatchObject({ name: 'revenue', value: 0.3, layer: 'speed' });
    expect((await get('name=unique_users&range=1d&granularity=all')).body).toMatchObject({ value: 3 });
  });

  it('ORs filters on one dimension, ANDs across dimensions, and escapes |', async () => {
    const total = async (query: string) => (await get<{ value: number }>(`name=page_views&range=1d&granularity=all&${query}`)).body.value;
    expect(await total('filter=country:US|DE')).toBe(3);
    expect(await total('country=US&country=DE&device=mobile')).toBe(2);
    expect(await total('filter=country:FR\\|X')).toBe(1);
    expect(await total('filter=country:FR')).toBe(0);
  });

  it('serves grouped series zero-filled at the asked granularity', async () => {
    const from = new Date(hour).toISOString();
    const to = new Date(hour + 10 * 60_000).toISOString();
    const reply = await get<{ series: { device: string; points: { t: string; value: number }[] }[] }>(`name=page_views&from=${from}&to=${to}&granularity=1m&group_by=device`);
    expect(reply.body.series.map((s) => s.device)).toEqual(['mobile', 'desktop']);
    const mobile = reply.body.series[0]?.points ?? [];
    expect(mobile).toHaveLength(10);
    expect(mobile.map((p) => p.value)).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(mobile[0]?.t).toBe(from.replace('.000Z', 'Z'));
  });

  it('answers several metrics in one call', async () => {
    const reply = await get<{ metrics: Record<string, { value: number }> }>('name=page_views,clicks,purchases&range=1d&granularity=all');
    expect(Object.fromEntries(Object.entries(reply.body.metrics).map(([k, v]) => [k, v.value]))).toEqual({ page_views: 4, clicks: 1, purchases: 2 });
  });

  it('rejects bad parameters with 400s that list the valid names', async () => {
    const cases: [string, string, RegExp][] = [
      ['name=nope&range=1d', 'STRATA_UNKNOWN_METRIC', /valid metrics: events, page_views/],
      ['name=events&range=1d&group_by=user_id', 'STRATA_UNKNOWN_DIMENSION', /valid dimensions: event, country/],
      ['name=events&range=1d&colour=red', 'STRATA_INVALID_PARAMETER', /unknown parameter "colour"/],
      ['name=events&range=1d&from=2026-01-01T00:00:00Z', 'STRATA_INVALID_PARAMETER', /either "range" or "from"/],
      ['name=events&range=7x', 'STRATA_INVALID_PARAMETER', /"range" has invalid value "7x"/],
      ['name=events&range=30d&granularity=1m', 'STRATA_TOO_MANY_POINTS', /coarser granularity/],
      ['range=1d', 'STRATA_INVALID_PARAMETER', /"name" is required/],
    ];
    for (const [query, code, message] of cases) {
      const reply = await get<{ error: { code: string; message: string } }>(query);
      expect(reply.status, query).toBe(400);
      expect(reply.body.error.code, query).toBe(code);
      expect(reply.body.error.message, query).toMatch(message);
    }
  });

  it('keeps tenants apart', async () => {
    const other = await call<{ value: number }>(`${strata.url}/v1/metrics?name=events&range=1d&granularity=all`, { headers: { 'strata-tenant': 'nobody' } });
    expect(other.body.value).toBe(0);
  });
});

describe('embedded: operations', () => {
  it('answers health, readiness, status and Prometheus metrics', async () => {
    expect((await call(`${strata.url}/healthz`)).status).toBe(200);
    expect((await call(`${strata.url}/readyz`)).status).toBe(200);
    const status = await call<Record<string, unknown>>(`${strata.url}/v1/status`);
    expect(Object.keys(status.body).sort()).toEqual(['dirty_hours', 'freshness_lag_ms', 'ingested_total', 'last_event_at', 'last_flush_at', 'reconciled_through']);
    const metrics = await call<string>(`${strata.url}/internal/metrics`);
    expect(metrics.body).toMatch(/strata_ingest_events_total\{status="accepted"\} \d+/);
    expect((await call(`${strata.url}/nope`)).body).toMatchObject({ error: { code: 'STRATA_NOT_FOUND' } });
  });
});

describe('embedded: backfills on the embedded runner', () => {
  it('reconciles an hour from the archive: duplicates once, every point then reads batch', async () => {
    const tenant = { 'strata-tenant': 'backfilled' };
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const events = Array.from({ length: 20 }, (_, i) => ({ event: 'page_view', event_id: `b${i}`, timestamp: hour + i * 60_000, user_id: `u${i % 3}`, country: 'NO' }));
    expect((await post(`${strata.url}/v1/events`, events, tenant)).status).toBe(200);
    expect((await post(`${strata.url}/v1/events`, events.slice(0, 5), tenant)).status).toBe(200); // a client's retry
    const range = `from=${new Date(hour).toISOString()}&to=${new Date(hour + 3_600_000).toISOString()}`;
    // The speed layer counts the retry twice; the archive holds every copy within 10 s.
    await eventually(async () => {
      const speed = await call<{ value: number }>(`${strata.url}/v1/metrics?name=events&${range}&granularity=all`, { headers: tenant });
      return speed.body.value === 25 ? true : undefined;
    }, 'the speed layer to count every copy');
    await new Promise((r) => setTimeout(r, 11_000));

    const started = await post<{ id: string }>(`${strata.url}/v1/backfills`, { from: new Date(hour).toISOString(), to: new Date(hour + 3_600_000).toISOString(), tenant: 'backfilled' });
    expect(started.status).toBe(202);
    const done = await eventually(async () => {
      const reply = await call<{ status: string; hours_total: number; hours_done: number }>(`${strata.url}/v1/backfills/${started.body.id}`);
      return reply.body.status === 'running' ? undefined : reply.body;
    }, 'the backfill to finish');
    expect(done).toEqual({ id: started.body.id, status: 'completed', hours_total: 1, hours_done: 1 });

    const exact = await call<{ value: number; layer: string }>(`${strata.url}/v1/metrics?name=events&${range}&granularity=all`, { headers: tenant });
    expect(exact.body).toMatchObject({ value: 20, layer: 'batch' });
    const users = await call<{ value: number }>(`${strata.url}/v1/metrics?name=unique_users&${range}&granularity=all`, { headers: tenant });
    expect(users.body.value).toBe(3);
  }, 90_000);

  it('answers bad backfill requests with the envelope', async () => {
    const bad = await post(`${strata.url}/v1/backfills`, { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'STRATA_BAD_REQUEST' } });
    const unknown = await call(`${strata.url}/v1/backfills/backfill-00000000-0000-0000-0000-000000000000`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
  });
});

describe('embedded: the batch layer ground truth', () => groundTruth(() => strata.url, 'truth'));

describe('embedded: ad-hoc queries', () => queryContract(() => strata.url, 'query'));
