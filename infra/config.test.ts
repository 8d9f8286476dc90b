import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './config';

describe('config', () => {
  it('has embedded defaults', () => {
    const config = loadConfig('embedded', {});
    expect(config).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, DATA_DIR: './data', KAFKA_TOPIC: 'events', openLoopback: true });
  });

  it('parses numbers and booleans strictly, naming the key', () => {
    expect(loadConfig('embedded', { STRATA_PORT: '8080', STRATA_S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({ PORT: 8080, S3_FORCE_PATH_STYLE: true });
    expect(() => loadConfig('embedded', { STRATA_PORT: '80a' })).toThrow(/"STRATA_PORT" has invalid value "80a"/);
    expect(() => loadConfig('embedded', { STRATA_PORT: '70000' })).toThrow(/"STRATA_PORT"/);
    expect(() => loadConfig('embedded', { STRATA_S3_FORCE_PATH_STYLE: 'yes' })).toThrow(/"STRATA_S3_FORCE_PATH_STYLE"/);
    expect(() => loadConfig('embedded', { STRATA_CLICKHOUSE_URL: 'not a url' })).toThrow(/"STRATA_CLICKHOUSE_URL"/);
  });

  it('rejects unknown STRATA_ settings and lists the valid ones', () => {
    expect(() => loadConfig('embedded', { STRATA_PROT: '1' })).toThrow(/unknown setting STRATA_PROT; valid: STRATA_HOST/);
  });

  it('refuses a distributed role without the shared services, naming the key', () => {
    expect(() => parseConfig('api', {})).toThrow(/"STRATA_CLICKHOUSE_URL" is required for `strata api`/);
    expect(() => parseConfig('api', { CLICKHOUSE_URL: 'http://127.0.0.1:8123', KAFKA_BROKERS: 'a:1' })).toThrow(/"STRATA_REDIS_URL"/);
    expect(() => parseConfig('stream', { CLICKHOUSE_URL: 'http://127.0.0.1:8123' })).toThrow(/"STRATA_KAFKA_BROKERS"/);
    expect(() => parseConfig('worker', { CLICKHOUSE_URL: 'http://127.0.0.1:8123' })).toThrow(/"STRATA_TEMPORAL_ADDRESS"/);
    expect(parseConfig('stream', { CLICKHOUSE_URL: 'http://127.0.0.1:8123', KAFKA_BROKERS: 'a:1,b:2' }).role).toBe('stream');
  });

  it('is open without a key on loopback only', () => {
    expect(parseConfig('embedded', { HOST: '0.0.0.0' }).openLoopback).toBe(false);
    expect(parseConfig('embedded', { HOST: 'localhost' }).openLoopback).toBe(true);
    expect(parseConfig('embedded', { HOST: '0.0.0.0', ALLOW_ANONYMOUS: 'true' }).openLoopback).toBe(true);
  });

  it('reads sampling rules as JSON from the environment or an object from the file', () => {
    expect(loadConfig('embedded', {}).SAMPLING).toEqual({});
    expect(loadConfig('embedded', { STRATA_SAMPLING: '{"debug_*":0.01,"*":0.5,"page_view":1}' }).SAMPLING)
      .toEqual({ 'debug_*': 0.01, '*': 0.5, page_view: 1 });
    expect(parseConfig('embedded', { SAMPLING: { 'debug_*': 0.25 } }).SAMPLING).toEqual({ 'debug_*': 0.25 });
  });

  it('refuses invalid sampling rules, naming STRATA_SAMPLING and the entry', () => {
    const bad = (value: string) => () => loadConfig('embedded', { STRATA_SAMPLING: value });
    expect(bad('debug_*=0.01')).toThrow(/"STRATA_SAMPLING" has invalid value "debug_\*=0.01": expected a JSON object/);
    expect(bad('[0.5]')).toThrow(/"STRATA_SAMPLING".*expected an object of event-name pattern to keep rate/);
    expect(bad('{"debug_*":0}')).toThrow(/"STRATA_SAMPLING".*at "debug_\*": expected a keep rate in \(0, 1\]/);
    expect(bad('{"debug_*":1.5}')).toThrow(/at "debug_\*": expected a keep rate/);
    expect(bad('{"debug_*":"0.5"}')).toThrow(/at "debug_\*": expected a keep rate/);
    expect(bad('{"a*b":0.5}')).toThrow(/"STRATA_SAMPLING".*at "a\*b": expected an event name, a prefix ending in one "\*", or "\*"/);
    expect(bad('{"debug_**":0.5}')).toThrow(/at "debug_\*\*"/);
    expect(() => parseConfig('embedded', { SAMPLING: 'x' })).toThrow(/"STRATA_SAMPLING"/);
  });
});
