/**
 * The batch layer's ground truth, the same in every mode: three closed hours of events (5%
 * duplicate ids, shuffled, integer and fractional revenue, some held back and sent more than an
 * hour late after a first reconciliation), the expected values computed here, and every hour and
 * dimension compared through GET /v1/metrics after each reconciliation.
 */
import { expect, it } from 'vitest';
import { pipelineCounts } from '../../bench/scrape';
import { call, eventually, post } from './http';
import { seededRandom } from './seeded-random';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COUNTRIES = ['US', 'DE', 'JP'];

interface Sent { event_id: string; event: string; timestamp: number; user_id: string; country: string; revenue?: number }

/** Expected values per bucket start (hours by default) and country, computed without the system: first copy only. */
function expected(events: readonly Sent[], bucketMs = HOUR) {
  const unique = new Map<string, Sent>();
  for (const e of events) if (!unique.has(e.event_id)) unique.set(e.event_id, e);
  const sorted = [...unique.values()].sort((a, b) => a.timestamp - b.timestamp || (a.event_id < b.event_id ? -1 : 1));
  const lastSeen = new Map<string, number>();
  const cells = new Map<string, { events: number; purchases: number; revenueCents: number; sessions: number; users: Set<string> }>();
  for (const e of sorted) {
    const previous = lastSeen.get(e.user_id);
    lastSeen.set(e.user_id, e.timestamp);
    const key = `${Math.floor(e.timestamp / bucketMs) * bucketMs}|${e.country}`;
    const cell = cells.get(key) ?? { events: 0, purchases: 0, revenueCents: 0, sessions: 0, users: new Set<string>() };
    cell.events++;
    if (e.event === 'purchase') {
      cell.purchases++;
      cell.revenueCents += Math.round((e.revenue ?? 0) * 100);
    }
    if (previous === undefined || e.timestamp - previous > 30 * 60_000) cell.sessions++;
    cell.users.add(e.user_id);
    cells.set(key, cell);
  }
  return cells;
}

/**
 * @param streamUrl the process that runs the speed layer: its `archived` counter says when every
 * event sent is in the archive (a fixed wait was flaky after a rebalance).
 */
export function groundTruth(baseUrl: () => string, tenantName: string, streamUrl: () => string = baseUrl): void {
  const tenant = { 'strata-tenant': tenantName };
  const first = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
  const all: Sent[] = [];
  // Deterministic pseudo-randomness: the test must fail the same way twice.
  const random = seededRandom(42);
  for (let i = 0; i < 600; i++) {
    const purchase = random() < 0.2;
    all.push({
      event_id: `g${i}`, event: purchase ? 'purchase' : 'page_view', timestamp: first + Math.floor(random() * 3 * HOUR),
      user_id: `u${Math.floor(random() * 40)}`, country: COUNTRIES[i % 3] as string,
      ...(purchase ? { revenue: i % 2 === 0 ? Math.floor(random() * 100) : Math.floor(random() * 10_000) / 100 } : {}),
    });
  }
  for (let i = 0; i < 30; i++) all.push({ ...(all[Math.floor(random() * 600)] as Sent) }); // 5% duplicate ids
  all.sort(() => random() - 0.5); // shuffled
  const late = all.slice(0, 60); // held back, sent after the first reconciliation
  const onTime = all.slice(60);

  const archived = async () => (await pipelineCounts(streamUrl())).archived;
  /** Sends, then waits until the archive holds every copy sent. */
  const send = async (events: Sent[]) => {
    const before = await archived();
    for (let i = 0; i < events.length; i += 100) {
      const reply = await post(`${baseUrl()}/v1/events`, events.slice(i, i + 100).map((e) => ({ ...e, timestamp: new Date(e.timestamp).toISOString() })), tenant);
      expect(reply.status).toBe(200);
    }
    await eventually(async () => ((await archived()) >= before + events.length ? true : undefined), 'every event sent to be archived', 60_000);
  };
  const reconcile = async (from = first, hours = 3) => {
    const started = await post<{ id: string }>(`${baseUrl()}/v1/backfills`, { from: new Date(from).toISOString(), to: new Date(from + hours * HOUR).toISOString(), tenant: tenantName });
    expect(started.status).toBe(202);
    const done = await eventually(async () => {
      const reply = await call<{ status: string }>(`${baseUrl()}/v1/backfills/${started.body.id}`);
      return reply.body.status === 'running' ? undefined : reply.body;
    }, 'the backfill to finish', 240_000);
    expect(done).toMatchObject({ status: 'completed', hours_total: hours, hours_done: hours });
  };
  const check = async (sent: Sent[]) => {
    const truth = expected(sent);
    const window = `from=${new Date(first).toISOString()}&to=${new Date(first + 3 * HOUR).toISOString()}&granularity=1h`;
    for (const country of COUNTRIES) {
      const reply = await call<{ metrics: Record<string, { points: { t: string; value: number; layer: string }[] }> }>(
        `${baseUrl()}/v1/metrics?name=events,purchases,revenue,sessions,unique_users&${window}&country=${country}`, { headers: tenant });
      expect(reply.status).toBe(200);
      for (let h = 0; h < 3; h++) {
        const cell = truth.get(`${first + h * HOUR}|${country}`);
        const at = (name: string) => reply.body.metrics[name]?.points[h];
        expect(at('events')).toEqual({ t: new Date(first + h * HOUR).toISOString().replace('.000Z', 'Z'), value: cell?.events ?? 0, layer: 'batch' });
        expect(at('purchases')?.value, `purchases ${country} h${h}`).toBe(cell?.purchases ?? 0);
        expect(Math.round((at('revenue')?.value ?? 0) * 100), `revenue ${country} h${h}`).toBe(cell?.revenueCents ?? 0);
        expect(at('sessions')?.value, `sessions ${country} h${h}`).toBe(cell?.sessions ?? 0);
        expect(at('unique_users')?.value, `unique_users ${country} h${h}`).toBe(cell?.users.size ?? 0);
      }
    }
  };

  it('is exact per hour and dimension after a reconciliation, again after late events, and unchanged by a rerun', async () => {
    await send(onTime);
    await reconcile();
    await check(onTime);
    await send(late);
    await reconcile();
    await check(all);
    // Reconciling clean hours again publishes newer versions of the same numbers.
    await reconcile();
    await check(all);
    const status = await call<{ reconciled_through: string; dirty_hours: string[] }>(`${baseUrl()}/v1/status`, { headers: tenant });
    expect(status.body.dirty_hours).toEqual([]);
    expect(Date.parse(status.body.reconciled_through)).toBeGreaterThanOrEqual(first + 3 * HOUR);
  }, 300_000);

  it('is exact per day, unique users included, and within 2% over several days', async () => {
    // Two whole UTC days, well past: more distinct users a day than uniqCombined counts exactly.
    const day0 = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
    const days: Sent[] = [];
    for (let i = 0; i < 24_000; i++) {
      days.push({
        event_id: `d${i}`, event: random() < 0.1 ? 'purchase' : 'page_view', timestamp: day0 + Math.floor(random() * 2 * DAY),
        user_id: `v${Math.floor(random() * 30_000)}`, country: COUNTRIES[i % 3] as string,
      });
    }
    for (let i = 0; i < 1_200; i++) days.push({ ...(days[Math.floor(random() * 24_000)] as Sent) }); // 5% duplicate ids
    await send(days);
    await reconcile(day0, 48);
    const truth = expected(days, DAY);
    const window = `from=${new Date(day0).toISOString()}&to=${new Date(day0 + 2 * DAY).toISOString()}`;
    for (const country of COUNTRIES) {
      const reply = await call<{ metrics: Record<string, { points: { value: number; layer: string }[] }> }>(
        `${baseUrl()}/v1/metrics?name=events,sessions,unique_users&${window}&granularity=1d&country=${country}`, { headers: tenant });
      for (let d = 0; d < 2; d++) {
        const cell = truth.get(`${day0 + d * DAY}|${country}`);
        const at = (name: string) => reply.body.metrics[name]?.points[d];
        expect(at('events'), `events ${country} d${d}`).toMatchObject({ value: cell?.events, layer: 'batch' });
        expect(at('sessions')?.value, `sessions ${country} d${d}`).toBe(cell?.sessions);
        expect(at('unique_users')?.value, `unique_users ${country} d${d}`).toBe(cell?.users.size);
      }
    }
    const daily = await call<{ points: { value: number }[] }>(`${baseUrl()}/v1/metrics?name=unique_users&${window}&granularity=1d`, { headers: tenant });
    const perDay = (d: number) => new Set(days.filter((e) => Math.floor((e.timestamp - day0) / DAY) === d).map((e) => e.user_id)).size;
    expect(daily.body.points.map((p) => p.value)).toEqual([perDay(0), perDay(1)]);
    const total = await call<{ value: number; layer: string }>(`${baseUrl()}/v1/metrics?name=unique_users&${window}&granularity=all`, { headers: tenant });
    const distinct = new Set(days.map((e) => e.user_id)).size;
    expect(total.body.layer).toBe('batch');
    expect(Math.abs(total.body.value - distinct) / distinct, `${total.body.value} users over two days, truly ${distinct}`).toBeLessThanOrEqual(0.02);
  }, 600_000);
}
