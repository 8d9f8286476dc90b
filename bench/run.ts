/**
 * `npm run bench`: every benchmark in one run; prints a summary and writes bench/results/latest.json.
 * `npm run bench -- reconcile stages` runs only the sections named, and updates just those in the file.
 * Timing targets live here, not in tests, so that tests never flake on a noisy machine.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { servicesDown, servicesUp } from '../infra/services/index';
import { distributedEnv, startRole } from './distributed';
import { type FreshnessResult, measureFreshness } from './freshness';
import { type LoadResult, benchIngest } from './ingest';
import { freePort, startNode, type Running } from './processes';
import { benchQueries } from './query';
import { benchDashboardLoad } from './dashboard-load';
import { benchReconcile } from './reconcile';
import { benchStages } from './stages';
import { benchSustained } from './sustained';

const FRESHNESS = { eventsPerSecond: 5_000, seconds: 30, p95TargetMs: 5_000 };
const DASHBOARD = { drawnMs: 1_500, assetsKb: 500 };
/**
 * The floor is offered with 2% to spare: a run holds when 99% of the offer is acknowledged, and
 * 99% of 51,000 is still at least the floor itself. It is held for 150 s, not 60: the archive's
 * backlog peaks vary by up to ±40K from one file to the next with the time a write takes, which over 60 s
 * is more than the 1% a second of growth allowed; over 150 s each third holds some seven peaks.
 * The target needs no such care: it is reported, and 60 s show how fast its backlogs grow.
 */
const SUSTAINED = { floor: 50_000, floorOffered: 51_000, floorSeconds: 150, target: 100_000, targetSeconds: 60 };

const SECTIONS = ['ingest', 'stages', 'freshness', 'sustained', 'reconcile', 'query', 'dashboard'] as const;
type Section = (typeof SECTIONS)[number];

function chosenSections(): Set<Section> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) throw new Error(`unknown bench section ${unknown.join(', ')}; valid: ${SECTIONS.join(', ')}`);
  return new Set(asked.length === 0 ? SECTIONS : (asked as Section[]));
}

async function main(): Promise<void> {
  const started = new Date();
  const sections = chosenSections();
  console.log(`strata bench on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  const results: Record<string, unknown> = {};
  if (sections.has('ingest')) results.ingest = await runIngest();
  if (sections.has('stages')) results.stages = await runStages();
  if (sections.has('freshness')) results.freshness = await runFreshness();
  if (sections.has('sustained')) results.sustained = await runSustained();
  if (sections.has('reconcile')) results.reconcile = await runReconcile();
  if (sections.has('query')) results.query = await runQuery();
  if (sections.has('dashboard')) results.dashboard = await runDashboard();

  const file = 'bench/results/latest.json';
  const previous = sections.size < SECTIONS.length && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> : {};
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(file, `${JSON.stringify({
    ...previous,
    started_at: started.toISOString(),
    machine: { cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
    ...results,
  }, null, 2)}\n`);
  console.log(`wrote ${file}${sections.size < SECTIONS.length ? ` (sections ${[...sections].join(', ')})` : ''}`);
}

async function runIngest() {
  console.log('ingest: baseline node:http and strata embedded, alternating, 3 rounds; 32 connections × 10 s, 100 events per body');
  const row = (name: string, r: LoadResult) =>
    console.log(`  ${name.padEnd(16)} ${String(r.events_per_s).padStart(9)} events/s   p99 ${String(r.p99_ms).padStart(5)} ms   non-2xx ${r.non_2xx}   errors ${r.errors}`);
  const ingest = await benchIngest(3, (round, i) => {
    row(`round ${i + 1} baseline`, round.baseline);
    row(`round ${i + 1} strata`, round.strata);
    console.log(`  ${''.padEnd(16)} the speed layer folded and archived the burst ${round.speed_catch_up_s} s after it`);
  });
  row('median baseline', ingest.baseline);
  row('median strata', ingest.strata);
  console.log(`  ratio            ${ingest.ratio} (median strata ÷ median baseline; the floor is 0.3)`);
  return ingest;
}

async function runStages() {
  console.log('stages: µs per event, each stage alone on one thread');
  const stages = await benchStages();
  console.log(`  ${Object.entries(stages).map(([k, v]) => `${k} ${v}`).join('   ')}   total ${round2(Object.values(stages).reduce((a, b) => a + b, 0))}`);
  return stages;
}

async function runFreshness() {
  console.log(`freshness: ack → counted by a query, under a steady ${FRESHNESS.eventsPerSecond} events/s, ${FRESHNESS.seconds} s (p95 target ≤ ${FRESHNESS.p95TargetMs} ms)`);
  const freshRow = (mode: string, r: FreshnessResult) =>
    console.log(`  ${mode.padEnd(12)} p50 ${r.p50_ms} ms   p95 ${r.p95_ms} ms   max ${r.max_ms} ms   (${r.probes} probes, background ${r.background_events_per_s} events/s)   ${r.p95_ms <= FRESHNESS.p95TargetMs ? 'ok' : 'MISSED'}`);
  const freshness = {
    embedded: await withEmbedded((s) => measureFreshness(s, FRESHNESS.eventsPerSecond, FRESHNESS.seconds)),
    distributed: await withDistributed((s) => measureFreshness(s, FRESHNESS.eventsPerSecond, FRESHNESS.seconds)),
  };
  freshRow('embedded', freshness.embedded);
  freshRow('distributed', freshness.distributed);
  return freshness;
}

async function runSustained() {
  console.log(`sustained: ingest + speed layer + archive, embedded, open-loop (floor ${SUSTAINED.floor}, offered as ${SUSTAINED.floorOffered} for ${SUSTAINED.floorSeconds} s; target ${SUSTAINED.target} events/s for ${SUSTAINED.targetSeconds} s)`);
  const sustained = [];
  for (const [rate, seconds] of [[SUSTAINED.floorOffered, SUSTAINED.floorSeconds], [SUSTAINED.target, SUSTAINED.targetSeconds]] as const) {
    const r = await benchSustained(rate, seconds);
    sustained.push(r);
    const worst = Math.max(...r.backlog.map((b) => b.folded_behind));
    console.log(`  offered ${rate} for ${seconds} s: sent ${r.sent_events_per_s}, acked ${r.acked_events_per_s} events/s   p99 ${r.p99_ms} ms   folded backlog max ${worst}, growth ${r.folded_growth_per_s}/s (archive ${r.archived_growth_per_s}/s)   caught up ${r.catch_up_s} s after   ${r.held ? 'held' : 'NOT held'}`);
  }
  return sustained;
}

async function runReconcile() {
  console.log('reconcile: one hour of 1M events (5% copies), embedded: fetch, deduplicate in DuckDB, roll up and publish (limit 30 s, target 10 s)');
  const reconcile = await benchReconcile();
  console.log(`  ${reconcile.distinct_events} distinct of ${reconcile.events} events in ${reconcile.files} files: reconciled in ${reconcile.reconcile_s} s (archiving them took ${reconcile.archive_s} s)`);
  console.log(`  the day holding that hour (23 quiet hours beside it): built in ${reconcile.day_s} s, ${reconcile.day_users} distinct users`);
  return reconcile;
}

const QUERY = { uncachedP99Ms: 150, uncachedTargetMs: 50, cachedP99Ms: 5, cachedRps: 2_000 };

async function runQuery() {
  console.log('query: the 7-day dashboard (5 panels in parallel) over ~20M seeded minute rows, embedded; uncached, cached, then cached throughput');
  const q = await benchQueries();
  const ok = (good: boolean) => (good ? 'ok' : 'MISSED');
  console.log(`  data: ${q.data.minuteRows} full-cube minute rows, seeded in ${q.data.seconds} s`);
  console.log(`  uncached per panel: p50 ${q.uncached.p50_ms} ms   p99 ${q.uncached.p99_ms} ms (limit ${QUERY.uncachedP99Ms}, target ${QUERY.uncachedTargetMs})   ${ok(q.uncached.p99_ms <= QUERY.uncachedP99Ms)}`);
  console.log(`    p99 by panel: ${Object.entries(q.panels_uncached_p99_ms).map(([k, v]) => `${k} ${v}`).join('   ')}`);
  console.log(`  cached per panel: p50 ${q.cached.p50_ms} ms   p99 ${q.cached.p99_ms} ms (limit ${QUERY.cachedP99Ms})   ${ok(q.cached.p99_ms <= QUERY.cachedP99Ms)}`);
  console.log(`  cached throughput, 200 clients: ${q.cached_throughput.requests_per_s} requests/s (floor ${QUERY.cachedRps}), p99 ${q.cached_throughput.p99_ms} ms   ${ok(q.cached_throughput.requests_per_s >= QUERY.cachedRps)}`);
  return q;
}

async function runDashboard() {
  console.log(`dashboard: the default dashboard in chromium, navigation to every panel drawn, cold server and fresh profile, over ~20M seeded minute rows (limit ${DASHBOARD.drawnMs} ms; assets limit ${DASHBOARD.assetsKb} KB gzipped)`);
  const d = await benchDashboardLoad();
  console.log(`  data: ${d.data.minuteRows} full-cube minute rows, seeded in ${d.data.seconds} s`);
  for (const [range, r] of Object.entries(d.drawn_ms)) {
    console.log(`  range ${range.padEnd(4)} median ${r.median} ms   max ${r.max} ms   runs ${r.runs.join(', ')}   ${r.max <= DASHBOARD.drawnMs ? 'ok' : 'MISSED'}`);
    const b = r.breakdown;
    console.log(`    median load: script ready ${b.script_ready}, dashboard definition ${b.dashboard_answer}, panel requests from ${b.first_request}, last answer ${b.last_answer} (slowest request ${b.slowest_request}), drawn ${b.drawn} ms`);
  }
  console.log(`  assets: ${d.assets_gzip_kb} KB gzipped   ${d.assets_gzip_kb <= DASHBOARD.assetsKb ? 'ok' : 'MISSED'}`);
  return d;
}

async function withEmbedded<T>(f: (strata: Running) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  const port = await freePort();
  const strata = await startNode('bin/strata.mjs', ['start'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/healthz');
  try {
    return await f(strata);
  } finally {
    await strata.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `strata api` and `strata stream` on the real services, which are started if needed and stopped if started here. */
async function withDistributed<T>(f: (api: Running) => Promise<T>): Promise<T> {
  const up = await servicesUp(['kafka', 'clickhouse', 'redis', 's3'], (line) => console.log(`  [services] ${line}`));
  const env = distributedEnv(up.endpoints);
  const roles: Running[] = [];
  try {
    const api = await startRole('api', env);
    roles.push(api);
    roles.push(await startRole('stream', env));
    return await f(api);
  } finally {
    await Promise.all(roles.map((r) => r.stop()));
    await servicesDown(up.started);
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
