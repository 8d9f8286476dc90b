/**
 * `/v1/dashboards` as a client sees it, the same in every mode (the store sits on the mode's
 * object storage): CRUD, the built-in default, validation with clear messages, tenants apart.
 */
import { expect, it } from 'vitest';
import { DEFAULT_DASHBOARD } from '../../core/dashboard';
import { call, post } from './http';

const PANEL = { id: 'views', title: 'Views', metrics: ['page_views'], chart: 'line' };
const BODY = { title: 'Growth', panels: [PANEL], layout: { columns: 2 } };

export function dashboardsContract(baseUrl: () => string, tenantName: string): void {
  const tenant = { 'strata-tenant': tenantName };
  const url = (path = '') => `${baseUrl()}/v1/dashboards${path}`;
  const put = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(url(path), { method: 'PUT', headers: { 'content-type': 'application/json', ...tenant, ...headers }, body: JSON.stringify(body) });

  it('lists and serves the built-in default before anything is saved', async () => {
    expect((await call(url(), { headers: tenant })).body).toEqual({ dashboards: [{ id: 'default', title: DEFAULT_DASHBOARD.title }] });
    expect((await call(url('/default'), { headers: tenant })).body).toEqual(DEFAULT_DASHBOARD);
  });

  it('creates, reads, updates and deletes a dashboard', async () => {
    const created = await post<{ id: string }>(url(), BODY, tenant);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...BODY, id: expect.stringMatching(/^growth-[0-9a-f]{6}$/) });
    const id = created.body.id;
    expect(created.headers.get('location')).toBe(`/v1/dashboards/${id}`);
    expect((await call(url(`/${id}`), { headers: tenant })).body).toEqual(created.body);

    const renamed = { ...BODY, title: 'Growth, weekly', layout: { columns: 3, spans: { views: 3 } } };
    expect((await put(`/${id}`, renamed)).body).toEqual({ id, ...renamed });
    expect((await call(url(), { headers: tenant })).body).toEqual({ dashboards: expect.arrayContaining([{ id, title: 'Growth, weekly' }]) });

    expect((await call(url(`/${id}`), { method: 'DELETE', headers: tenant })).status).toBe(204);
    expect((await call(url(`/${id}`), { headers: tenant })).status).toBe(404);
    expect((await call(url(`/${id}`), { method: 'DELETE', headers: tenant })).body).toMatchObject({ error: { code: 'STRATA_NOT_FOUND' } });
  });

  it('saves over the built-in default, and a delete restores it', async () => {
    expect((await put('/default', BODY)).status).toBe(200);
    expect((await call(url(), { headers: tenant })).body).toEqual({ dashboards: [{ id: 'default', title: 'Growth' }] });
    expect((await call(url('/default'), { method: 'DELETE', headers: tenant })).status).toBe(204);
    expect((await call(url('/default'), { headers: tenant })).body).toEqual(DEFAULT_DASHBOARD);
  });

  it('keeps tenants apart', async () => {
    const created = await post<{ id: string }>(url(), BODY, tenant);
    expect((await call(url(`/${created.body.id}`), { headers: { 'strata-tenant': `${tenantName}-other` } })).status).toBe(404);
  });

  it('refuses what is not a dashboard, naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...BODY, title: '' }, /^dashboard title: /],
      [{ ...BODY, panels: [{ ...PANEL, chart: 'pie' }] }, /^dashboard panels\.0\.group_by: a pie panel needs group_by/],
      [{ ...BODY, panels: [{ ...PANEL, metrics: ['nope'] }] }, /^dashboard panels\.0\.metrics\.0: /],
      [{ ...BODY, panels: [PANEL, PANEL] }, /^dashboard panels: panel ids must be unique/],
      [{ ...BODY, panels: [{ ...PANEL, filters: ['colour:red'] }] }, /^dashboard panels\.0\.filters\.0: a filter is "dimension:value"/],
      [{ ...BODY, extra: 1 }, /^dashboard body: /],
      [{ ...BODY, layout: { columns: 9 } }, /^dashboard layout\.columns: /],
    ];
    for (const [body, message] of cases) {
      const reply = await put('/bad', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect((reply.body as { error: { message: string } }).error.message).toMatch(message);
    }
    expect((await put('/Not_An_Id', BODY)).body).toMatchObject({ error: { code: 'STRATA_BAD_REQUEST', message: expect.stringContaining('is not a dashboard id') } });
    expect((await put('/x', BODY, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await call(url('/bad'), { headers: tenant })).status).toBe(404);
  });
}
