/**
 * The Strata API as the UI uses it: metrics, status, saved dashboards and ad-hoc queries. Every
 * failure becomes an ApiError carrying the server's code and message, which the UI shows as is.
 */
import type { Dashboard, DashboardBody } from '../../core/dashboard';

// The dashboard's shape is the API's own schema (core/dashboard.ts); a type import adds no code.
export type { Dashboard, Panel } from '../../core/dashboard';
export type Layer = 'batch' | 'speed' | 'mixed';
export interface Point { t: string; value: number; layer: Layer }
export interface Series { name: string; granularity: string; from: string; to: string; points: Point[] }
export interface Total { name: string; from: string; to: string; value: number; layer: Layer }
export type BreakdownRow = Record<string, string | number> & { layer: Layer };
export interface GroupedSeries { name: string; granularity: string; from: string; to: string; series: (Record<string, string> & { points: Point[] })[] }
export interface Status { freshness_lag_ms: number | null; last_flush_at: string | null; last_event_at: string | null; reconciled_through: string | null }
export interface QueryReply { columns: { name: string; type: 'string' | 'number' | 'time' }[]; rows: (string | number | null)[][] }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'the Strata server did not answer: is it running?');
  }
  if (res.status === 204) return undefined as T;
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? `${res.status} ${res.statusText}`, error ?? {});
  }
  return body as T;
}

const sendJson = (method: string, body: unknown): RequestInit => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

export const api = {
  metrics: <T>(params: URLSearchParams, priority: RequestPriority = 'auto') => call<T>(`/v1/metrics?${params}`, { priority }),
  status: () => call<Status>('/v1/status'),
  dashboards: () => call<{ dashboards: { id: string; title: string }[] }>('/v1/dashboards'),
  dashboard: (id: string) => call<Dashboard>(`/v1/dashboards/${encodeURIComponent(id)}`),
  createDashboard: (body: DashboardBody) => call<Dashboard>('/v1/dashboards', sendJson('POST', body)),
  saveDashboard: ({ id, ...body }: Dashboard) => call<Dashboard>(`/v1/dashboards/${encodeURIComponent(id)}`, sendJson('PUT', body)),
  deleteDashboard: (id: string) => call<void>(`/v1/dashboards/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  query: (query: string) => call<QueryReply>('/v1/query', sendJson('POST', { query })),
};
