/**
 * Runs a `rollups` query on the OLAP store, over the same layered rows GET /v1/metrics reads: each
 * hour from its published batch version (day, hour or minute rows, as coarse as the query's grain
 * allows), else from speed.
 */
import { cubesFor } from '../../core/dimensions';
import { layeredSource, type SqlParams } from '../../core/layered-source';
import { readServed } from '../../core/layers';
import { planDayBuilds, planPublishedHours } from '../../core/planner';
import { type PreparedQuery, compileQuery } from '../../core/query';
import { DAY_MS, HOUR_MS, MINUTE_MS, ceilTo, floorTo } from '../../core/time';
import type { OlapStore } from '../../infra/olap/olap';
import type { QueryReply } from './reply';
import { replyRows } from './values';

const GRAIN_MS = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS } as const;

export async function runRollups(olap: OlapStore, tenant: string, query: PreparedQuery, timeoutMs: number): Promise<QueryReply> {
  const table = (name: string) => olap.table(name);
  const window = { from: floorTo(query.window.from, MINUTE_MS), to: ceilTo(query.window.to, MINUTE_MS) };
  const grain = GRAIN_MS[query.grain];
  const lookup = async (planned: { sql: string; params: SqlParams } | undefined) => (planned ? olap.query(planned.sql, { params: planned.params, timeoutMs }) : []);
  const [hours, builds] = await Promise.all([lookup(planPublishedHours(window, tenant, table)), lookup(planDayBuilds(window, grain, tenant, table))]);
  const params: SqlParams = { tenant, from: window.from / 1000, to: window.to / 1000 };
  // The `rollups` schema has `event` whatever the query reads.
  const columns = [...new Set(['event' as const, ...query.dimensions])];
  const source = layeredSource(
    { from: window.from, to: window.to, bucketMs: grain, columns, exactUsers: false, withTenant: true },
    cubesFor(columns), table, readServed(hours, builds), params,
  );
  const compiled = compileQuery(query, { tenant, source: () => `(SELECT * ${source.from([])})` });
  const rows = await olap.query(compiled.sql, { params: { ...params, ...compiled.params }, timeoutMs });
  return { columns: compiled.columns, rows: replyRows(compiled.columns, rows) };
}
