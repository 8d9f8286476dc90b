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
});
