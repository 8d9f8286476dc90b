/**
 * Freshness: the time from an event's acknowledgement to the moment a query counts it, under a
 * steady background load. A probe tenant gets one event every 500 ms; a poller asks for its total
 * every 100 ms, and each probe's latency is when the total first included it minus its ack.
 */
import { load } from './ingest';
import type { Running } from './processes';

const PROBE_EVERY_MS = 500;
const POLL_EVERY_MS = 100;

export interface FreshnessResult {
  background_events_per_s: number;
  probes: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

export async function measureFreshness(strata: Running, eventsPerSecond: number, seconds: number): Promise<FreshnessResult> {
  const tenant = { 'strata-tenant': `probe${Date.now()}` };
  const acked: number[] = [];
  const visible: number[] = [];
  let running = true;

  const probe = async () => {
    while (running) {
      const res = await fetch(`${strata.url}/v1/events`, { method: 'POST', headers: { ...tenant, 'content-type': 'application/json' }, body: '{"event":"probe"}' });
      await res.text();
      if (res.ok) acked.push(Date.now());
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
  };
  const poll = async () => {
    while (running || visible.length < acked.length) {
      const res = await fetch(`${strata.url}/v1/metrics?name=events&range=1h&granularity=all`, { headers: tenant });
      const body = (await res.json()) as { value?: number };
      const now = Date.now();
      while (visible.length < Math.min(body.value ?? 0, acked.length)) visible.push(now);
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
      if (!running && Date.now() - (acked.at(-1) ?? 0) > 60_000) break;
    }
  };

  const probes = probe();
  const poller = poll();
  const background = await load(strata.url, { connections: 8, seconds, eventsPerSecond });
  running = false;
  await probes;
  await poller;
  const latencies = visible.map((t, i) => t - (acked[i] as number)).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    background_events_per_s: background.events_per_s,
    probes: latencies.length, p50_ms: at(0.5), p95_ms: at(0.95), max_ms: latencies.at(-1) ?? NaN,
  };
}
