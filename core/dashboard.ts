/**
 * Saved dashboards: a title, panels (each one metrics request drawn one way) and their layout. The
 * API validates them here once; the UI draws them; `DEFAULT_DASHBOARD` is what a tenant sees before
 * saving anything.
 */
import { z } from 'zod';
import { BUILT_IN_DIMENSIONS } from './dimensions';
import { StrataError } from './errors';
import { METRIC_NAMES } from './metrics';
import { GRANULARITIES } from './time';

export const CHART_KINDS = ['line', 'pie', 'table', 'number'] as const;
export const MAX_PANELS = 24;
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const dimension = z.enum(BUILT_IN_DIMENSIONS);
/** A filter as the metrics API takes it: `dimension:value`, `|` between alternatives. */
const filter = z.string().regex(new RegExp(`^(${BUILT_IN_DIMENSIONS.join('|')}):.{1,400}$`), 'a filter is "dimension:value"');

export const PANEL_SCHEMA = z.object({
  id: z.string().regex(ID, 'a panel id is 1–63 lowercase letters, digits or -'),
  title: z.string().trim().min(1).max(120),
  metrics: z.array(z.enum(METRIC_NAMES as [string, ...string[]])).min(1).max(4),
  chart: z.enum(CHART_KINDS),
  group_by: z.array(dimension).min(1).max(2).optional(),
  filters: z.array(filter).max(16).optional(),
  granularity: z.enum(GRANULARITIES).optional(),
  /** Rows kept for a pie or table; the API's default when absent. */
  limit: z.number().int().min(1).max(1000).optional(),
}).strict().refine((p) => p.chart !== 'pie' || p.group_by !== undefined, { message: 'a pie panel needs group_by', path: ['group_by'] });

export const LAYOUT_SCHEMA = z.object({
  /** Columns of the grid at full width; narrow screens stack the panels. */
  columns: z.number().int().min(1).max(4),
  /** Columns each panel spans, by panel id (1 when absent). Panels flow in the order of `panels`. */
  spans: z.record(z.string(), z.number().int().min(1).max(4)).optional(),
}).strict();

/** What a client sends to create or update; the id comes from the path or the server. */
export const DASHBOARD_BODY = z.object({
  title: z.string().trim().min(1).max(120),
  panels: z.array(PANEL_SCHEMA).max(MAX_PANELS).refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, 'panel ids must be unique'),
  layout: LAYOUT_SCHEMA,
}).strict();

export const DASHBOARD_SCHEMA = DASHBOARD_BODY.extend({ id: z.string().regex(ID) });

export type Panel = z.infer<typeof PANEL_SCHEMA>;
export type DashboardBody = z.infer<typeof DASHBOARD_BODY>;
export type Dashboard = z.infer<typeof DASHBOARD_SCHEMA>;

export const DEFAULT_DASHBOARD_ID = 'default';

/** The dashboard a tenant has before saving one: the seed's panels. */
export const DEFAULT_DASHBOARD: Dashboard = {
  id: DEFAULT_DASHBOARD_ID,
  title: 'Overview',
  panels: [
    { id: 'revenue', title: 'Revenue', metrics: ['revenue'], chart: 'number' },
    { id: 'users', title: 'Unique users', metrics: ['unique_users'], chart: 'number' },
    { id: 'page-views', title: 'Page views', metrics: ['page_views'], chart: 'line' },
    { id: 'country', title: 'By country', metrics: ['page_views'], chart: 'pie', group_by: ['country'], limit: 8 },
    { id: 'device', title: 'By device', metrics: ['page_views'], chart: 'pie', group_by: ['device'], limit: 8 },
    { id: 'top-pages', title: 'Top pages', metrics: ['page_views'], chart: 'table', group_by: ['page'], limit: 10 },
  ],
  layout: { columns: 2, spans: { 'page-views': 2, 'top-pages': 2 } },
};

export function parseDashboardId(raw: unknown): string {
  if (typeof raw !== 'string' || !ID.test(raw)) throw new StrataError('STRATA_BAD_REQUEST', `"${String(raw).slice(0, 80)}" is not a dashboard id: 1–63 lowercase letters, digits or -`);
  return raw;
}

/** A body, or a 400 naming the first field that is wrong and why. */
export function parseDashboardBody(raw: unknown): DashboardBody {
  const parsed = DASHBOARD_BODY.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : 'body';
  throw new StrataError('STRATA_BAD_REQUEST', `dashboard ${path}: ${issue?.message ?? 'invalid'}`, { field: path });
}

/** Where dashboards are kept: object storage, one JSON document each (api/dashboard-store.ts). */
export interface DashboardStore {
  list(tenant: string): Promise<Dashboard[]>;
  get(tenant: string, id: string): Promise<Dashboard | undefined>;
  put(tenant: string, dashboard: Dashboard): Promise<void>;
  delete(tenant: string, id: string): Promise<boolean>;
}
