import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Api, createApiServer, expressApp } from './app';
import { writeJson } from './errors';
import { createRateLimit, rateLimitMiddleware } from './rate-limit';

/** Which handler answered: the hot paths' own, or express with its 404. */
const answering = (name: string) => async (_req: IncomingMessage, res: ServerResponse) => writeJson(res, 200, { by: name });

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(rps?: number): Promise<string> {
  const rateLimit = createRateLimit(rps);
  const api: Api = {
    app: expressApp(pino({ level: 'silent' }), [rateLimitMiddleware(rateLimit)]),
    ingest: answering('ingest'),
    metrics: answering('metrics'),
    rateLimit,
  };
  server = createApiServer(api).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const by = async (res: Response) => ((await res.json()) as { by?: string; error?: { code: string } });

describe('createApiServer', () => {
  it('sends ingest and metrics at their exact paths to their handlers, and the rest to express', async () => {
    const base = await serve();
    expect(await by(await fetch(`${base}/v1/events`, { method: 'POST', body: '[]' }))).toEqual({ by: 'ingest' });
    expect(await by(await fetch(`${base}/events`, { method: 'POST', body: '[]' }))).toEqual({ by: 'ingest' });
    expect(await by(await fetch(`${base}/v1/metrics?name=page_views&range=7d`))).toEqual({ by: 'metrics' });
    expect(await by(await fetch(`${base}/metrics`))).toEqual({ by: 'metrics' });
    // Not the exact forms: express's own routes decide (here, none matches).
    expect((await by(await fetch(`${base}/v1/metrics/x`))).error?.code).toBe('STRATA_NOT_FOUND');
    expect((await by(await fetch(`${base}/v1/events`))).error?.code).toBe('STRATA_NOT_FOUND');
    expect((await by(await fetch(`${base}/v1/metrics`, { method: 'POST' }))).error?.code).toBe('STRATA_NOT_FOUND');
  });

  it('applies the rate limit to the hot paths as to every other route', async () => {
    const base = await serve(2);
    const statuses = [];
    for (const path of ['/v1/metrics', '/v1/metrics', '/v1/metrics']) statuses.push((await fetch(`${base}${path}`)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const ingest = await fetch(`${base}/v1/events`, { method: 'POST', body: '[]' });
    expect(ingest.status).toBe(429);
    expect(ingest.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${base}/other`)).status).toBe(429);
  });
});
