import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile, ProfileStore } from '../../core/profile';
import { expressApp } from '../app';
import { profilesRouter } from './profiles';

/** The store's own behaviour is tested against the real engines in test/profiles.test.ts. */
function memoryStore(): ProfileStore & { rows: Map<string, Profile> } {
  const rows = new Map<string, Profile>();
  return {
    rows,
    put: async (tenant, userId, profile) => void rows.set(`${tenant}/${userId}`, profile),
    lookup: async () => new Map(),
    hasProfiles: async () => rows.size > 0,
    profiledTenants: async () => [...new Set([...rows.keys()].map((k) => k.split('/')[0] ?? ''))],
  };
}

const servers: Server[] = [];
async function serve(profiles: ProfileStore | undefined): Promise<string> {
  const app = expressApp(pino({ level: 'silent' }), [profilesRouter({ profiles, openLoopback: true })]);
  const server = createServer(app).listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(() => servers.forEach((s) => s.close()));

async function put(base: string, path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${base}/v1/profiles/${path}`, { method: 'PUT', headers, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

describe('PUT /v1/profiles/:user_id', () => {
  const store = memoryStore();
  let base: string;
  beforeAll(async () => {
    base = await serve(store);
  });

  it('stores the profile for the URL-decoded user of the tenant, and echoes it', async () => {
    const reply = await put(base, 'a%2Fb%20c', '{"country":"US","device":"mobile"}', { 'content-type': 'application/json; charset=utf-8', 'strata-tenant': 't1' });
    expect(reply).toMatchObject({ status: 200, body: { user_id: 'a/b c', profile: { country: 'US', device: 'mobile' } } });
    expect(store.rows.get('t1/a/b c')).toEqual({ country: 'US', device: 'mobile' });
    expect((await put(base, 'u1', '{}')).body).toEqual({ user_id: 'u1', profile: {} });
    expect(store.rows.get('default/u1')).toEqual({});
  });

  it('answers a bad profile with 400 naming the problem and the valid keys, and stores nothing', async () => {
    const before = new Map(store.rows);
    expect(await put(base, 'u1', '{"country":"US","plan":"pro"}')).toMatchObject({
      status: 400, body: { error: { code: 'STRATA_BAD_REQUEST', message: '"plan" is not a profile dimension: valid keys are country, device, page, campaign' } },
    });
    expect(await put(base, 'u1', '{"event":"x"}')).toMatchObject({ status: 400, body: { error: { code: 'STRATA_BAD_REQUEST' } } });
    expect(await put(base, 'u1', `{"page":"${'x'.repeat(201)}"}`)).toMatchObject({
      status: 400, body: { error: { code: 'STRATA_BAD_REQUEST', message: '"page" must be a string of 1–200 characters' } },
    });
    expect(await put(base, 'u1', '["US"]')).toMatchObject({ status: 400, body: { error: { code: 'STRATA_BAD_REQUEST' } } });
    expect(store.rows).toEqual(before);
  });

  it('bounds the user id to 256 characters and requires valid percent-encoding', async () => {
    expect((await put(base, 'x'.repeat(256), '{}')).status).toBe(200);
    expect(await put(base, 'x'.repeat(257), '{}')).toMatchObject({ status: 400, body: { error: { code: 'STRATA_BAD_REQUEST', message: '"user_id" must be 1–256 characters, got 257' } } });
    expect(await put(base, '%E0%A4%A', '{}')).toMatchObject({ status: 400, body: { error: { code: 'STRATA_BAD_REQUEST' } } });
  });

  it('answers bodies that are not small UTF-8 JSON with the envelope', async () => {
    expect(await put(base, 'u1', '{"country":')).toMatchObject({ status: 400, body: { error: { code: 'STRATA_INVALID_JSON' } } });
    expect(await put(base, 'u1', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toMatchObject({
      status: 400, body: { error: { code: 'STRATA_INVALID_JSON', message: 'the request body is not valid UTF-8' } },
    });
    expect(await put(base, 'u1', `{"page":"${'x'.repeat(40 * 1024)}"}`)).toMatchObject({
      status: 413, body: { error: { code: 'STRATA_PAYLOAD_TOO_LARGE', message: 'the request body is larger than 32768 bytes' } },
    });
    expect(await put(base, 'u1', 'country=US', { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({
      status: 415, body: { error: { code: 'STRATA_UNSUPPORTED_MEDIA_TYPE' } },
    });
    expect((await put(base, 'u1', '{}', { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
    expect((await put(base, 'u1', '{}', {})).status).toBe(415);
  });

  it('rejects an invalid tenant before reading the body', async () => {
    expect(await put(base, 'u1', '{}', { 'content-type': 'application/json', 'strata-tenant': 'no spaces' })).toMatchObject({
      status: 400, body: { error: { code: 'STRATA_BAD_REQUEST', message: '"Strata-Tenant" header must be 1–64 letters, digits, _ or -' } },
    });
  });
});

describe('PUT /v1/profiles/:user_id without a usable store', () => {
  it('answers 503 with Retry-After where no store is wired', async () => {
    const reply = await put(await serve(undefined), 'u1', '{"country":"US"}');
    expect(reply).toMatchObject({ status: 503, body: { error: { code: 'STRATA_UNAVAILABLE' } } });
    expect(reply.headers.get('retry-after')).toBe('1');
  });

  it('answers 503 when the OLAP store cannot be reached', async () => {
    const down: ProfileStore = {
      ...memoryStore(),
      put: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
      },
    };
    expect(await put(await serve(down), 'u1', '{"country":"US"}')).toMatchObject({
      status: 503, body: { error: { code: 'STRATA_UNAVAILABLE', message: 'the OLAP store is unreachable; retry shortly' } },
    });
  });
});
