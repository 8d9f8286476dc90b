/**
 * Picks each external system's adapter from the configuration: embedded adapters by default,
 * distributed ones where their settings are given. The rest of the code never knows which runs.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Cache } from './cache/cache';
import { createMemoryCache } from './cache/memory';
import { createRedisCache } from './cache/redis';
import type { Config } from './config';
import type { EventLog } from './eventlog/eventlog';
import { createKafkaLog } from './eventlog/kafka';
import { createLocalLog } from './eventlog/local-log';
import type { ObjectStore } from './objectstore/objectstore';
import { createFsObjectStore } from './objectstore/fs';
import { createS3ObjectStore } from './objectstore/s3';
import { createChdbStore } from './olap/chdb';
import { createClickhouseStore } from './olap/clickhouse-http';
import type { OlapStore } from './olap/olap';

export interface Adapters {
  log: EventLog;
  olap: OlapStore;
  objects: ObjectStore;
  cache: Cache;
  /** Human-readable choice per concern, for the startup log. */
  describe: Record<string, string>;
  close(): Promise<void>;
}

export async function createAdapters(config: Config, logger: Logger): Promise<Adapters> {
  const dataDir = resolve(config.DATA_DIR);
  const log = config.KAFKA_BROKERS
    ? await createKafkaLog({ brokers: config.KAFKA_BROKERS.split(','), topic: config.KAFKA_TOPIC, clientId: `strata-${config.role}` })
    : await createLocalLog({ dir: join(dataDir, 'log'), logger });
  const olap = config.CLICKHOUSE_URL
    ? await createClickhouseStore({ url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE })
    : await createChdbStore({ path: join(dataDir, 'olap'), database: config.CLICKHOUSE_DATABASE });
  const objects = config.S3_BUCKET
    ? await createS3ObjectStore({
      ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      ...(config.S3_ACCESS_KEY_ID ? { accessKeyId: config.S3_ACCESS_KEY_ID } : {}),
      ...(config.S3_SECRET_ACCESS_KEY ? { secretAccessKey: config.S3_SECRET_ACCESS_KEY } : {}),
    })
    : createFsObjectStore({ root: join(dataDir, 'objects') });
  const cache = config.REDIS_URL
    ? createRedisCache({ url: config.REDIS_URL, keyPrefix: `strata:${config.CLICKHOUSE_DATABASE}:` })
    : createMemoryCache();
  return {
    log, olap, objects, cache,
    describe: {
      eventLog: config.KAFKA_BROKERS ? `kafka ${config.KAFKA_BROKERS} topic ${config.KAFKA_TOPIC}` : `local log ${join(dataDir, 'log')}`,
      olap: config.CLICKHOUSE_URL ? `clickhouse ${config.CLICKHOUSE_URL} database ${config.CLICKHOUSE_DATABASE}` : `chdb ${join(dataDir, 'olap')}`,
      objects: config.S3_BUCKET ? `s3 ${config.S3_ENDPOINT ?? 'aws'} bucket ${config.S3_BUCKET}` : `directory ${join(dataDir, 'objects')}`,
      cache: config.REDIS_URL ? `redis ${config.REDIS_URL}` : 'memory',
    },
    async close() {
      // Closing in reverse order of use: nothing writes to the log after the API stops.
      await Promise.allSettled([log.close(), cache.close(), objects.close()]);
      await olap.close();
    },
  };
}
