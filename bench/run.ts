/**
 * `npm run bench`: every benchmark in one run; prints a summary and writes bench/results/latest.json.
 * Timing targets live here, not in tests, so that tests never flake on a noisy machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { type LoadResult, benchIngest } from './ingest';

async function main(): Promise<void> {
  const started = new Date();
  console.log(`strata bench on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  console.log('ingest: baseline node:http and strata embedded, alternating, 3 rounds; 32 connections × 10 s, 100 events per body');
  const row = (name: string, r: LoadResult) =>
    console.log(`  ${name.padEnd(16)} ${String(r.events_per_s).padStart(9)} events/s   p99 ${String(r.p99_ms).padStart(5)} ms   non-2xx ${r.non_2xx}   errors ${r.errors}`);
  const ingest = await benchIngest(3, (round, i) => {
    row(`round ${i + 1} baseline`, round.baseline);
    row(`round ${i + 1} strata`, round.strata);
  });
  row('median baseline', ingest.baseline);
  row('median strata', ingest.strata);
  console.log(`  ratio            ${ingest.ratio} (median strata ÷ median baseline; the floor is 0.3)`);
  const results = {
    started_at: started.toISOString(),
    machine: { cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
    ingest,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/results/latest.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
