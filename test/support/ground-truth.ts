/**
 * The batch layer's ground truth, the same in every mode: three closed hours of events (5%
 * duplicate ids, shuffled, integer and fractional revenue, some held back and sent more than an
 * hour late after a first reconciliation), the expected values computed here, and every hour and
 * dimension compared through GET /v1/metrics after each reconciliation.
 */
import { expect, it } from 'vitest';
import { pipelineCounts } from '../../bench/scrape';
import { call, eventually, post } from './http';

const HOUR = 3_600_000;
const COUNTRIES = ['US', 'DE', 'JP'];

interface Sent { event_id: string; event: string; timestamp: number; user_id: string; country: string; revenue?: number }

/** Expected values per hour start and country, computed without the system: first copy only. */
function expected(events: readonly Sent[]) {
  const unique = new Map<string, Sent>();
  for (const e of events) if (!unique.has(e.event_id)) unique.set(e.event_id, e);
  const sorted = [...unique.values()].sort((a, b) => a.timestamp - b.timestamp || (a.event_id < b.event_id ? -1 : 1));
  const lastSeen = new Map<string, number>();
  const cells = new Map<string, { events: number; purchases: number; revenueCents: number; sessions: number; users: Set<string> }>();
  for (const e of sorted) {
    const previous = lastSeen.get(e.user_id);
    lastSeen.set(e.user_id, e.timestamp);
    const key = `${Math.floor(e.timestamp / HOUR) * HOUR}|${e.country}`;
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
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
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
  const reconcile = async () => {
    const started = await post<{ id: string }>(`${baseUrl()}/v1/backfills`, { from: new Date(first).toISOString(), to: new Date(first + 3 * HOUR).toISOString(), tenant: tenantName });
    expect(started.status).toBe(202);
    const done = await eventually(async () => {
      const reply = await call<{ status: string }>(`${baseUrl()}/v1/backfills/${started.body.id}`);
      return reply.body.status === 'running' ? undefined : reply.body;
    }, 'the backfill to finish', 120_000);
    expect(done).toMatchObject({ status: 'completed', hours_total: 3, hours_done: 3 });
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
}
