/**
 * `GET /v1/openapi.json`: the OpenAPI 3.1 document, built from the schemas and constants that
 * validate requests (the event and profile JSON Schemas ajv compiles, the zod schemas of bodies,
 * the metric, dimension and granularity lists the parser checks against), so it cannot drift
 * from what the server accepts.
 */
import { Router } from 'express';
import { z } from 'zod';
import { BACKFILL_BODY } from '../core/backfill';
import { DASHBOARD_BODY, DASHBOARD_SCHEMA } from '../core/dashboard';
import { BUILT_IN_DIMENSIONS } from '../core/dimensions';
import { ERROR_CODES } from '../core/errors';
import { EVENT_INPUT_SCHEMA } from '../core/event';
import { METRIC_NAMES } from '../core/metrics';
import { MAX_LIMIT } from '../core/metrics-request';
import { PROFILE_SCHEMA } from '../core/profile';
import { GRANULARITIES } from '../core/time';
import { QUERY_BODY } from './routes/query';

/** Extra body schemas that other routes register (the query and dashboard routes). */
export type SchemaRegistry = Record<string, z.ZodType>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const reply = (description: string, schema: object) => ({ description, content: json(schema) });
const errorReply = (description: string) => reply(description, ref('Error'));
const ERRORS = {
  400: errorReply('Bad request: the message names the parameter or field and what is valid'),
  401: errorReply('No valid key'),
  429: errorReply('Rate limited; see Retry-After'),
  503: errorReply('A store is unavailable; see Retry-After'),
};

function jsonSchema(schema: z.ZodType): object {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
}

function commaList(values: readonly string[]): object {
  return { type: 'string', pattern: `^(${values.join('|')})(,(${values.join('|')}))*$` };
}

const metricsParameters = [
  { name: 'name', in: 'query', required: true, description: 'One metric or several, comma-separated', schema: commaList(METRIC_NAMES) },
  { name: 'range', in: 'query', description: 'A window ending now: <n>m|h|d|w|y (1y = 365 d); default 24h', schema: { type: 'string', pattern: '^[1-9][0-9]{0,5}[mhdwy]$' } },
  { name: 'from', in: 'query', description: 'Window start, RFC 3339 with a zone or epoch ms; floored to the granularity', schema: { type: 'string' } },
  { name: 'to', in: 'query', description: 'Window end (exclusive); ceiled to the granularity', schema: { type: 'string' } },
  { name: 'granularity', in: 'query', description: 'Bucket size, or `all` for one total; default 1m up to 2 h, 1h up to 7 d, else 1d', schema: { type: 'string', enum: [...GRANULARITIES] } },
  { name: 'group_by', in: 'query', description: 'Dimensions to break down by, comma-separated', schema: commaList(BUILT_IN_DIMENSIONS) },
  { name: 'filter', in: 'query', description: '`dimension:value`, repeatable; `|` ORs values within a dimension (escape a literal | as \\|)', schema: { type: 'string' } },
  { name: 'limit', in: 'query', description: 'Groups returned, ranked by the first metric; default 10 for series, 100 for breakdowns', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT } },
  ...BUILT_IN_DIMENSIONS.map((d) => ({ name: d, in: 'query', description: `Shorthand for filter=${d}:<value>`, schema: { type: 'string' } })),
];

const LAYER = { type: 'string', enum: ['batch', 'speed', 'mixed'], description: 'Which layer answered: exact (batch), provisional (speed), or both' };
const POINT = { type: 'object', required: ['t', 'value', 'layer'], properties: { t: { type: 'string', format: 'date-time' }, value: { type: 'number' }, layer: LAYER } };

const schemas = (extra: SchemaRegistry): Record<string, object> => ({
  Event: EVENT_INPUT_SCHEMA,
  EventsBody: {
    description: 'One event, an array of events, or {"events":[…]}; also NDJSON (application/x-ndjson), gzip allowed',
    oneOf: [ref('Event'), { type: 'array', items: ref('Event') }, { type: 'object', required: ['events'], properties: { events: { type: 'array', items: ref('Event') } } }],
  },
  IngestReply: {
    type: 'object', required: ['status', 'count'],
    properties: {
      status: { type: 'string', enum: ['accepted', 'partial'] },
      count: { type: 'integer' },
      errors: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' } } } },
    },
  },
  Profile: PROFILE_SCHEMA,
  QueryRequest: { ...jsonSchema(QUERY_BODY), description: 'A query in the language of docs/query-language.md, over `rollups` or `events`' },
  QueryReply: {
    type: 'object', required: ['columns', 'rows'],
    properties: {
      columns: { type: 'array', items: { type: 'object', required: ['name', 'type'], properties: { name: { type: 'string' }, type: { type: 'string', enum: ['string', 'number', 'time'] } } } },
      rows: { type: 'array', items: { type: 'array', items: { type: ['string', 'number', 'null'] } } },
    },
  },
  BackfillRequest: jsonSchema(BACKFILL_BODY),
  BackfillStatus: {
    type: 'object', required: ['id', 'status', 'hours_total', 'hours_done'],
    properties: {
      id: { type: 'string' }, status: { type: 'string', enum: ['running', 'completed', 'failed', 'cancelled'] },
      hours_total: { type: 'integer' }, hours_done: { type: 'integer' },
    },
  },
  MetricsReply: {
    description: 'A total (granularity=all), a series, a breakdown (group_by without a granularity), grouped series, or {"metrics":{name: …}} for several metrics',
    oneOf: [
      { type: 'object', required: ['name', 'value', 'layer'], properties: { name: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, value: { type: 'number' }, layer: LAYER } },
      { type: 'object', required: ['name', 'points'], properties: { name: { type: 'string' }, granularity: { type: 'string' }, points: { type: 'array', items: POINT } } },
      { type: 'object', required: ['name', 'series'], properties: { name: { type: 'string' }, series: { type: 'array', items: { type: 'object', properties: { points: { type: 'array', items: POINT } }, additionalProperties: { type: 'string' } } } } },
      { type: 'array', items: { type: 'object', required: ['layer'], properties: { layer: LAYER }, additionalProperties: { type: ['string', 'number'] } } },
      { type: 'object', required: ['metrics'], properties: { metrics: { type: 'object' } } },
    ],
  },
  Status: {
    type: 'object',
    properties: {
      freshness_lag_ms: { type: ['integer', 'null'] }, last_event_at: { type: ['string', 'null'] }, last_flush_at: { type: ['string', 'null'] },
      reconciled_through: { type: ['string', 'null'] }, dirty_hours: { type: 'array', items: { type: 'string' } }, ingested_total: { type: 'integer' },
    },
  },
  Error: {
    type: 'object', required: ['error'],
    properties: {
      error: {
        type: 'object', required: ['code', 'message'],
        properties: { code: { type: 'string', enum: Object.keys(ERROR_CODES) }, message: { type: 'string' } },
        description: 'Some errors carry more fields, such as `errors` on a rejected batch or `position` and `expected` on a query syntax error',
      },
    },
  },
  ...Object.fromEntries(Object.entries(extra).map(([name, schema]) => [name, jsonSchema(schema)])),
});

/** The document; `paths` and `extra` let routes that live elsewhere describe themselves. */
export function openApiDocument(extra: { schemas?: SchemaRegistry; paths?: Record<string, object> } = {}): object {
  const ingest = {
    post: {
      summary: 'Send events', tags: ['ingest'],
      requestBody: { required: true, content: json(ref('EventsBody')) },
      responses: { 200: reply('Acknowledged once durably appended', ref('IngestReply')), 413: errorReply('Body over 1 MiB'), ...ERRORS },
    },
  };
  const metrics = {
    get: {
      summary: 'Series, breakdowns and totals of built-in metrics, from the exact batch layer where reconciled and the speed layer elsewhere',
      tags: ['query'], parameters: metricsParameters,
      responses: { 200: reply('The answer; `Strata-Warning` when a breakdown holds (other)', ref('MetricsReply')), 504: errorReply('Ran past 30 s'), ...ERRORS },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Strata', version: '1', description: 'Real-time analytics: events in, exact and fresh numbers out.' },
    servers: [{ url: '/' }],
    components: {
      schemas: schemas(extra.schemas ?? {}),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Not required on loopback without keys' } },
    },
    paths: {
      '/v1/events': ingest,
      '/events': { ...ingest, description: 'Alias of /v1/events' },
      '/v1/metrics': metrics,
      '/metrics': { ...metrics, description: 'Alias of /v1/metrics' },
      '/v1/query': {
        post: {
          summary: 'An ad-hoc query: SELECT … FROM rollups | events [WHERE …] [GROUP BY …] [ORDER BY …] [LIMIT n]', tags: ['query'],
          requestBody: { required: true, content: json(ref('QueryRequest')) },
          responses: {
            200: reply('The columns and rows', ref('QueryReply')),
            400: errorReply('A syntax error (STRATA_QUERY_SYNTAX, with `position` and `expected`) or an invalid query (STRATA_QUERY_INVALID)'),
            504: errorReply('Ran past 30 s'), 401: ERRORS[401], 429: ERRORS[429], 503: ERRORS[503],
          },
        },
      },
      '/v1/profiles/{user_id}': {
        put: {
          summary: 'Set the dimensions enrichment gives a user\'s events that lack them', tags: ['ingest'],
          parameters: [{ name: 'user_id', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 256 } }],
          requestBody: { required: true, content: json(ref('Profile')) },
          responses: { 200: reply('Stored', { type: 'object', properties: { user_id: { type: 'string' }, profile: ref('Profile') } }), ...ERRORS },
        },
      },
      '/v1/backfills': {
        post: {
          summary: 'Recompute every hour of a range from the archive', tags: ['batch'],
          requestBody: { required: true, content: json(ref('BackfillRequest')) },
          responses: { 202: reply('Started', { type: 'object', properties: { id: { type: 'string' } } }), ...ERRORS },
        },
      },
      '/v1/backfills/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: { summary: 'A backfill\'s status and progress', tags: ['batch'], responses: { 200: reply('Status', ref('BackfillStatus')), 404: errorReply('No such backfill') } },
        delete: { summary: 'Cancel a backfill', tags: ['batch'], responses: { 200: reply('Cancelling', ref('BackfillStatus')), 404: errorReply('No such backfill') } },
      },
      '/v1/status': { get: { summary: 'Freshness and reconciliation', tags: ['ops'], responses: { 200: reply('Status', ref('Status')) } } },
      '/healthz': { get: { summary: 'Liveness', tags: ['ops'], responses: { 200: { description: 'Alive' } } } },
      '/readyz': { get: { summary: 'Readiness: every store answers', tags: ['ops'], responses: { 200: { description: 'Ready' }, 503: { description: 'A store does not answer' } } } },
      ...extra.paths,
    },
  };
}

export function openApiRouter(extra: Parameters<typeof openApiDocument>[0] = {}): Router {
  const router = Router();
  const document = JSON.stringify(openApiDocument(extra));
  router.get('/v1/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  return router;
}

/** The saved dashboards' schemas and paths (api/routes/dashboards.ts). */
export const DASHBOARD_OPENAPI = {
  schemas: { Dashboard: DASHBOARD_SCHEMA, DashboardRequest: DASHBOARD_BODY },
  paths: {
    '/v1/dashboards': {
      get: {
        summary: 'Every saved dashboard\'s id and title (the built-in `default` first until one is saved under that id)', tags: ['dashboards'],
        responses: { 200: reply('The list', { type: 'object', properties: { dashboards: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } } } } }), ...ERRORS },
      },
      post: {
        summary: 'Save a new dashboard; the server picks its id', tags: ['dashboards'],
        requestBody: { required: true, content: json(ref('DashboardRequest')) },
        responses: { 201: reply('Saved', ref('Dashboard')), ...ERRORS },
      },
    },
    '/v1/dashboards/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } }],
      get: { summary: 'One dashboard', tags: ['dashboards'], responses: { 200: reply('The dashboard', ref('Dashboard')), 404: errorReply('No such dashboard'), ...ERRORS } },
      put: {
        summary: 'Create or replace a dashboard under this id', tags: ['dashboards'],
        requestBody: { required: true, content: json(ref('DashboardRequest')) },
        responses: { 200: reply('Saved', ref('Dashboard')), ...ERRORS },
      },
      delete: { summary: 'Delete a saved dashboard (for `default`, back to the built-in one)', tags: ['dashboards'], responses: { 204: { description: 'Deleted' }, 404: errorReply('No such saved dashboard'), ...ERRORS } },
    },
  },
};
