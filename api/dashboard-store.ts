/**
 * Dashboards in object storage, one JSON document per dashboard under `dashboards/<tenant>/`: the
 * same store in both modes, durable without another service, and small enough to list.
 */
import { DASHBOARD_SCHEMA, type Dashboard, type DashboardStore } from '../core/dashboard';
import type { ObjectStore } from '../infra/objectstore/objectstore';

const prefix = (tenant: string) => `dashboards/${tenant}/`;
const key = (tenant: string, id: string) => `${prefix(tenant)}${id}.json`;

export function createDashboardStore(objects: ObjectStore): DashboardStore {
  const read = async (k: string): Promise<Dashboard | undefined> => {
    const body = await objects.get(k);
    // Documents were validated on the way in; a parse here guards against hand edits of the store.
    return body === undefined ? undefined : DASHBOARD_SCHEMA.parse(JSON.parse(body.toString('utf8')));
  };
  return {
    async list(tenant) {
      const keys = (await objects.list(prefix(tenant))).filter((k) => k.endsWith('.json'));
      const found = await Promise.all(keys.map(read));
      return found.filter((d): d is Dashboard => d !== undefined);
    },
    get: (tenant, id) => read(key(tenant, id)),
    put: (tenant, dashboard) => objects.put(key(tenant, dashboard.id), Buffer.from(JSON.stringify(dashboard))),
    async delete(tenant, id) {
      if ((await objects.get(key(tenant, id))) === undefined) return false;
      await objects.delete(key(tenant, id));
      return true;
    },
  };
}
