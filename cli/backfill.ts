/**
 * `strata backfill --from <time> --to <time> [--tenant <name>] [--url <api>]`: starts a backfill on
 * a running Strata over HTTP (never opening its data directory) and follows it with a progress bar.
 * Ctrl-C cancels it.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';

interface Status { id: string; status: 'running' | 'completed' | 'failed' | 'cancelled'; hours_total: number; hours_done: number }

export const BACKFILL_USAGE = `usage: strata backfill --from <RFC 3339> --to <RFC 3339> [--tenant <name>] [--url http://127.0.0.1:3000]`;

export async function runBackfill(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, options: { from: { type: 'string' }, to: { type: 'string' }, tenant: { type: 'string' }, url: { type: 'string' } },
  });
  if (!values.from || !values.to) {
    console.error(`strata backfill: --from and --to are required\n${BACKFILL_USAGE}`);
    return 2;
  }
  const base = values.url ?? `http://127.0.0.1:${process.env.STRATA_PORT ?? 3000}`;
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${base}${path}`, init).catch((err: unknown) => {
      throw new Error(`cannot reach Strata at ${base} (${(err as Error).message}); is it running? (--url)`);
    });
    const body = (await res.json()) as T & { error?: { message: string } };
    if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
    return body;
  };
  const request = { from: values.from, to: values.to, ...(values.tenant ? { tenant: values.tenant } : {}) };
  const { id } = await call<{ id: string }>('/v1/backfills', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  console.log(`backfill ${id}`);
  const bar = new cliProgress.SingleBar({ format: '{bar} {value}/{total} hours  {status}', hideCursor: true }, cliProgress.Presets.shades_classic);
  let cancelled = false;
  const onInterrupt = () => {
    cancelled = true;
    void call(`/v1/backfills/${id}`, { method: 'DELETE' }).catch(() => undefined);
  };
  process.once('SIGINT', onInterrupt);
  let status: Status = await call<Status>(`/v1/backfills/${id}`);
  bar.start(status.hours_total, status.hours_done, { status: status.status });
  while (status.status === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    status = await call<Status>(`/v1/backfills/${id}`);
    bar.setTotal(status.hours_total);
    bar.update(status.hours_done, { status: status.status });
  }
  bar.stop();
  process.off('SIGINT', onInterrupt);
  console.log(`backfill ${id}: ${status.status}, ${status.hours_done} of ${status.hours_total} hours${cancelled ? ' (cancelled at your request)' : ''}`);
  return status.status === 'completed' ? 0 : 1;
}
