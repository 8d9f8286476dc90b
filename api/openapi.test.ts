import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DIMENSIONS } from '../core/dimensions';
import { METRIC_NAMES } from '../core/metrics';
import { openApiDocument } from './openapi';

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(openApiDocument() as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does refuse a broken document.
    expect((await new Validator().validate({ openapi: '3.1.0', paths: { '/x': { get: { responses: 'none' } } } })).valid).toBe(false);
  });

  it('lists what the parser accepts: every metric, dimension and granularity', () => {
    const text = JSON.stringify(openApiDocument());
    for (const name of [...METRIC_NAMES, ...BUILT_IN_DIMENSIONS, '1m', '1h', '1d', 'all']) expect(text).toContain(name);
    const doc = openApiDocument() as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/metrics', '/v1/backfills', '/v1/backfills/{id}', '/v1/profiles/{user_id}', '/v1/status']));
    // The backfill body comes from the zod schema that validates it: strict, with its tenant pattern.
    expect(doc.components.schemas.BackfillRequest).toMatchObject({ additionalProperties: false, required: ['from', 'to'] });
  });
});
