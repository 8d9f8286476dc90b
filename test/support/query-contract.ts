/**
 * POST /v1/query against a running server, the same in every mode: known events (with resent
 * copies) queried over `rollups` before and after reconciliation and over `events`, errors with
 * positions, hostile text, and tenants kept apart.
 */
import { expect, it } from 'vitest';
import { pipelineCounts } from '../../bench/scrape';
import { call, eventually, post } from './http';

const HOUR = 3_600_000;

interface QueryReply { columns: { name: string; type: string }[]; rows: unknown[][] }

export function queryContract(baseUrl: () => string, tenantName: string, streamUrl: () => string = baseUrl): void {
  const tenant = { 'strata-tenant': tenantName };
  const hour = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const window = `time >= '${iso(hour)}' AND time < '${iso(hour + HOUR)}'`;
  const query = (text: string, headers = tenant) => post<QueryReply & { error?: Record<string, unknown> }>(`${baseUrl()}/v1/query`, { query: text }, headers);
  const events = Array.from({ length: 60 }, (_, i) => ({
    event_id: `q${i}`, event: i % 10 === 0 ? 'purchase' : 'page_view', timestamp: iso(hour + i * 60_000),
    user_id: `u${i % 7}`, properties: { country: i % 3 === 0 ? 'DE' : 'US', device: i % 2 ? 'mobile' : 'desktop', ...(i % 10 === 0 ? { revenue: 2.5 } : {}) },
  }));
  const copies = events.slice(0, 3); // resent: the speed layer counts them twice, the archive once

  it('answers rollups from speed, events from the archive (each event once), then rollups from batch', async () => {
    const before = (await pipelineCounts(streamUrl())).archived;
    expect((await post(`${baseUrl()}/v1/events`, [...events, ...copies], tenant)).status).toBe(200);
    // Another tenant's US events must never show.
    expect((await post(`${baseUrl()}/v1/events`, events.map((e) => ({ ...e, event_id: `o${e.event_id}` })), { 'strata-tenant': `${tenantName}other` })).status).toBe(200);
    // Read before the archive lands: the hour is closed, so a scheduled reconciliation may take it
    // as soon as it has archive files, and the rollups then read batch. Deltas are flushed within
    // a second, files every 10 s, so all 63 show in speed first.
    const speed = await eventually(async () => {
      const reply = await query(`SELECT country, sum(events) AS n FROM rollups WHERE ${window} GROUP BY country ORDER BY country`);
      return reply.body.rows?.reduce((n, row) => n + Number(row[1]), 0) === 63 ? reply : undefined;
    }, 'the speed layer to count the 63 events', 30_000);
    expect(speed.body).toEqual({ columns: [{ name: 'country', type: 'string' }, { name: 'n', type: 'number' }], rows: [['DE', 21], ['US', 42]] });
    await eventually(async () => ((await pipelineCounts(streamUrl())).archived >= before + 123 ? true : undefined), 'the events to be archived', 60_000);

    const archived = await query(`SELECT country, count() AS n, count(DISTINCT user_id) AS users, sum(revenue) FROM events
      WHERE timestamp >= '${iso(hour)}' AND timestamp < '${iso(hour + HOUR)}' GROUP BY country ORDER BY n DESC`);
    expect(archived.status).toBe(200);
    expect(archived.body.rows).toEqual([['US', 40, 7, 10], ['DE', 20, 7, 5]]);

    const started = await post<{ id: string }>(`${baseUrl()}/v1/backfills`, { from: iso(hour), to: iso(hour + HOUR), tenant: tenantName });
    await eventually(async () => ((await call<{ status: string }>(`${baseUrl()}/v1/backfills/${started.body.id}`)).body.status === 'completed' ? true : undefined), 'the backfill', 120_000);
    const exact = await query(`SELECT toStartOfHour(time) AS h, country, sum(events) AS n, sum(revenue) FROM rollups
      WHERE ${window} AND event IN ('page_view', 'purchase') GROUP BY h, country ORDER BY n DESC LIMIT 5`);
    expect(exact.body.rows).toEqual([[iso(hour), 'US', 40, 10], [iso(hour), 'DE', 20, 5]]);
  }, 240_000);

  it('reports syntax errors with their position and what was expected, and bad names with the valid ones', async () => {
    const syntax = await query('SELECT country,\n  FROM rollups');
    expect(syntax.status).toBe(400);
    expect(syntax.body.error).toMatchObject({ code: 'STRATA_QUERY_SYNTAX', position: { offset: 18, line: 2, column: 3 } });
    expect(syntax.body.error?.expected).toEqual(expect.any(Array));
    const unknown = await query('SELECT nation FROM rollups');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'STRATA_QUERY_INVALID' });
    expect(String(unknown.body.error?.message)).toContain('country');
    const wide = await query("SELECT count() FROM events WHERE timestamp >= now() - INTERVAL 40 day");
    expect(wide.status).toBe(400);
    for (const body of [{}, { query: 5 }, { query: '' }, { query: 'x', extra: 1 }]) {
      expect((await post(`${baseUrl()}/v1/query`, body, tenant)).status).toBe(400);
    }
  });

  it('keeps hostile text inert: values stay values, other tenants never show, and nothing answers 5xx', async () => {
    const hostile = [
      `SELECT sum(events) FROM rollups WHERE ${window} AND country = 'US'' OR 1=1 --'`,
      `SELECT sum(events) FROM rollups WHERE ${window} AND country = 'US\\' OR tenant != ''`,
      `SELECT sum(events) FROM rollups WHERE ${window} AND country IN ('x'); DROP TABLE rollups; --')`,
      'SELECT sum(events) FROM rollups WHERE tenant = \'other\'',
      'SELECT sum(events) FROM rollups; SELECT 1',
      'SELECT sum(events) FROM rollups /* c */',
      'SELECT "country" FROM rollups',
      `SELECT sum(events) FROM system.tables`,
      `SELECT count() FROM events WHERE timestamp >= '${iso(hour)}' AND timestamp < '${iso(hour + HOUR)}' AND event_id = 'q1'' UNION ALL SELECT 1 --'`,
    ];
    for (const text of hostile) {
      const reply = await query(text);
      expect(reply.status, text).toBeLessThan(500);
      if (reply.status === 200) expect(reply.body.rows, text).toEqual([[0]]);
    }
    const all = await query(`SELECT sum(events) FROM rollups WHERE ${window} AND country = 'US' OR country = 'DE'`);
    expect(all.body.rows).toEqual([[60]]);
  });
}
