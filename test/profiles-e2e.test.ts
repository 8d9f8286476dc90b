/**
 * Profiles end to end on `strata start`: the PUT route, then events lacking a dimension taking it
 * from the profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNode, type Running } from '../bench/processes';
import { call, eventually, post } from './support/http';

describe('embedded: profiles', () => {
  let strata: Running;
  let dataDir: string;
  const tenant = { 'strata-tenant': 'profiles' };
  const put = (userId: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    call(`${strata.url}/v1/profiles/${encodeURIComponent(userId)}`, { method: 'PUT', headers: { ...tenant, ...headers }, body });
  const breakdown = async (event: string) =>
    (await call<{ country: string; value: number }[]>(`${strata.url}/v1/metrics?name=events&range=1h&group_by=country&event=${event}`, { headers: tenant })).body;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'strata-e2e-profiles-'));
    const port = await freePort();
    strata = await startNode('bin/strata.mjs', ['start'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/healthz');
  });
  afterAll(async () => {
    await strata?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a profile and echoes it', async () => {
    expect(await put('user/1', '{"country":"SE","device":"tv"}')).toMatchObject({ status: 200, body: { user_id: 'user/1', profile: { country: 'SE', device: 'tv' } } });
  });

  it('answers a bad profile with the envelope', async () => {
    expect(await put('user/1', '{"plan":"pro"}')).toMatchObject({
      status: 400, body: { error: { code: 'STRATA_BAD_REQUEST', message: '"plan" is not a profile dimension: valid keys are country, device, page, campaign' } },
    });
    expect(await put('user/1', '{"country":')).toMatchObject({ status: 400, body: { error: { code: 'STRATA_INVALID_JSON' } } });
    expect(await put('user/1', 'country=SE', { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({ status: 415 });
  });

  it('fills a missing dimension from the profile, and only a missing one', async () => {
    expect((await put('user/1', '{"country":"SE"}')).status).toBe(200);
    // The stream learns which tenants have profiles every few seconds: probe until it has.
    let probe = 0;
    await eventually(async () => {
      const event = `probe-${probe++}`;
      await post(`${strata.url}/v1/events`, { event, user_id: 'user/1' }, tenant);
      const rows = await eventually(async () => {
        const got = await breakdown(event);
        return got.length > 0 ? got : undefined;
      }, `${event} to be queryable`);
      return rows.some((r) => r.country === 'SE') ? true : undefined;
    }, 'an event of user/1 to take its country from the profile', 60_000);

    const events = [
      { event: 'check', user_id: 'user/1' },
      { event: 'check', user_id: 'user/1', country: 'NO' },
      { event: 'check', user_id: 'user/2' },
      { event: 'check' },
    ];
    expect((await post(`${strata.url}/v1/events`, events, tenant)).body).toEqual({ status: 'accepted', count: 4 });
    const rows = await eventually(async () => {
      const got = await breakdown('check');
      return got.reduce((n, r) => n + r.value, 0) === 4 ? got : undefined;
    }, 'the four checks to be queryable');
    expect(rows).toEqual([
      { country: '(none)', value: 2, layer: 'speed' },
      { country: 'NO', value: 1, layer: 'speed' },
      { country: 'SE', value: 1, layer: 'speed' },
    ]);
  });
});
