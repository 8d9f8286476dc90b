/**
 * `/v1/dashboards`: list, get, create, update and delete saved dashboards. The built-in `default`
 * dashboard is listed and served until a tenant saves its own under that id; deleting it restores
 * the built-in one.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { DEFAULT_DASHBOARD, DEFAULT_DASHBOARD_ID, type Dashboard, type DashboardStore, parseDashboardBody, parseDashboardId } from '../../core/dashboard';
import { StrataError } from '../../core/errors';
import { slugOf } from '../../core/slug';
import { jsonBody } from '../json-body';
import { resolveTenant } from '../tenant';

export interface DashboardsDeps {
  /** Absent where the process has no object store: the routes then answer 503. */
  dashboards?: DashboardStore;
  openLoopback: boolean;
}

const MAX_DASHBOARD_BODY_BYTES = 256 * 1024;

/** A readable id from the title, with a random tail so two dashboards of one title never collide. */
function newId(title: string): string {
  return `${slugOf(title) || 'dashboard'}-${randomBytes(3).toString('hex')}`;
}

export function dashboardsRouter(deps: DashboardsDeps): Router {
  const router = Router();
  const store = (): DashboardStore => {
    if (!deps.dashboards) throw new StrataError('STRATA_UNAVAILABLE', 'saved dashboards are not available in this process');
    return storeUnavailableAs503(deps.dashboards);
  };
  const find = async (tenant: string, id: string): Promise<Dashboard> => {
    const found = await store().get(tenant, id) ?? (id === DEFAULT_DASHBOARD_ID ? DEFAULT_DASHBOARD : undefined);
    if (!found) throw new StrataError('STRATA_NOT_FOUND', `no dashboard "${id}"`);
    return found;
  };

  router.get('/v1/dashboards', async (req, res) => {
    const saved = await store().list(resolveTenant(req, deps.openLoopback));
    const all = saved.some((d) => d.id === DEFAULT_DASHBOARD_ID) ? saved : [DEFAULT_DASHBOARD, ...saved];
    res.json({ dashboards: all.map(({ id, title }) => ({ id, title })) });
  });
  router.get('/v1/dashboards/:id', async (req, res) => {
    res.json(await find(resolveTenant(req, deps.openLoopback), parseDashboardId(req.params.id)));
  });
  router.post('/v1/dashboards', jsonBody(MAX_DASHBOARD_BODY_BYTES), async (req, res) => {
    const tenant = resolveTenant(req, deps.openLoopback);
    const body = parseDashboardBody(req.body);
    const dashboard = { id: newId(body.title), ...body };
    await store().put(tenant, dashboard);
    res.status(201).location(`/v1/dashboards/${dashboard.id}`).json(dashboard);
  });
  router.put('/v1/dashboards/:id', jsonBody(MAX_DASHBOARD_BODY_BYTES), async (req, res) => {
    const tenant = resolveTenant(req, deps.openLoopback);
    const id = parseDashboardId(req.params.id);
    const dashboard = { id, ...parseDashboardBody(req.body) };
    await store().put(tenant, dashboard);
    res.json(dashboard);
  });
  router.delete('/v1/dashboards/:id', async (req, res) => {
    const tenant = resolveTenant(req, deps.openLoopback);
    const id = parseDashboardId(req.params.id);
    if (!(await store().delete(tenant, id))) throw new StrataError('STRATA_NOT_FOUND', `no saved dashboard "${id}"`);
    res.status(204).end();
  });
  return router;
}

/** The store's own failures (object storage down) as 503s a client may retry, not 500s. */
function storeUnavailableAs503(store: DashboardStore): DashboardStore {
  const guard = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } catch (err) {
      throw new StrataError('STRATA_UNAVAILABLE', `the dashboard store did not answer (${err instanceof Error ? err.message : String(err)}); try again`);
    }
  };
  return { list: guard(store.list), get: guard(store.get), put: guard(store.put), delete: guard(store.delete) };
}
