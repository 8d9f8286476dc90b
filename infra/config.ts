/**
 * Configuration: `STRATA_*` environment variables over an optional JSON file (`STRATA_CONFIG`),
 * parsed and validated once at startup into one typed object. Nothing deeper reads the environment.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SAMPLING_PATTERN } from '../core/sampling';

export type Role = 'embedded' | 'api' | 'stream' | 'worker';

/** Strings only for the environment: numbers and booleans are parsed strictly, never guessed. */
const port = z.union([z.number(), z.string().regex(/^\d+$/, 'expected a whole number').transform(Number)])
  .pipe(z.number().int().min(0).max(65535));
const positive = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, 'expected a number').transform(Number)])
  .pipe(z.number().positive());
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const url = z.string().url();
const name = z.string().regex(/^[A-Za-z0-9_.-]{1,200}$/, 'expected letters, digits, _ . or -');
const RATE = 'expected a keep rate in (0, 1]';
const keepRate = z.number({ error: RATE }).gt(0, RATE).lte(1, RATE);
/** Event-name pattern to keep rate (core/sampling.ts): JSON text from the environment, an object from the file. */
const sampling = z.preprocess((value, ctx) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a JSON object such as {"debug_*":0.01}' });
    return z.NEVER;
  }
}, z.record(z.string(), keepRate, { error: 'expected an object of event-name pattern to keep rate' }).superRefine((rules, ctx) => {
  for (const pattern of Object.keys(rules)) {
    if (!SAMPLING_PATTERN.test(pattern)) ctx.addIssue({ code: 'custom', path: [pattern], message: 'expected an event name, a prefix ending in one "*", or "*"' });
  }
}));

const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  KAFKA_BROKERS: z.string().regex(/^[^,\s]+(,[^,\s]+)*$/, 'expected host:port[,host:port…]').optional(),
  KAFKA_TOPIC: name.default('events'),
  CLICKHOUSE_URL: url.optional(),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected an identifier').default('strata'),
  S3_ENDPOINT: url.optional(),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name').optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port').optional(),
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').optional(),
  TEMPORAL_NAMESPACE: name.default('default'),
  TEMPORAL_TASK_QUEUE: name.default('strata'),
  RATE_LIMIT_RPS: positive.optional(),
  ALLOW_ANONYMOUS: bool.default(false),
  SAMPLING: sampling.default({}),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).strict();

export type ConfigKeys = z.infer<typeof ConfigSchema>;
export interface Config extends ConfigKeys {
  role: Role;
  /**
   * True when requests may act as tenant `default` without a key: on loopback, or where
   * ALLOW_ANONYMOUS opts in for a private network (the compose stack) until API keys exist.
   */
  openLoopback: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const PREFIX = 'STRATA_';
/** Variables of the service scripts (infra/services), which share the prefix but are not settings. */
const NOT_SETTINGS = /^STRATA_(CONFIG|SERVICES_[A-Z_]+|KEEP_SERVICES)$/;

/** Reads the file named by STRATA_CONFIG (if any) and the STRATA_* variables; the environment wins. */
export function loadConfig(role: Role, env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile = env.STRATA_CONFIG ? readConfigFile(env.STRATA_CONFIG) : {};
  const fromEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(PREFIX) && !NOT_SETTINGS.test(key) && value !== undefined && value !== '') {
      fromEnv[key.slice(PREFIX.length)] = value;
    }
  }
  return parseConfig(role, { ...fromFile, ...fromEnv });
}

export function parseConfig(role: Role, raw: Record<string, unknown>): Config {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw new ConfigError(`unknown setting ${issue.keys.map((k) => PREFIX + k).join(', ')}; valid: ${Object.keys(ConfigSchema.shape).map((k) => PREFIX + k).join(', ')}`);
    }
    const key = PREFIX + String(issue?.path[0] ?? '?');
    // A structured setting (STRATA_SAMPLING) names the entry inside it as well.
    const inner = issue && issue.path.length > 1 ? `at ${JSON.stringify(issue.path.slice(1).join('.'))}: ` : '';
    throw new ConfigError(`"${key}" has invalid value ${JSON.stringify(raw[String(issue?.path[0])])}: ${inner}${issue?.message ?? 'invalid'}`);
  }
  const keys = parsed.data;
  requireFor(role, keys);
  return { ...keys, role, openLoopback: isLoopback(keys.HOST) || keys.ALLOW_ANONYMOUS };
}

/** A distributed role shares state across processes, so it cannot fall back to embedded adapters. */
function requireFor(role: Role, keys: ConfigKeys): void {
  if (role === 'embedded') return;
  const missing = (key: keyof ConfigKeys, why: string): never => {
    throw new ConfigError(`"${PREFIX}${key}" is required for \`strata ${role}\`: ${why}`);
  };
  if (!keys.CLICKHOUSE_URL) missing('CLICKHOUSE_URL', 'distributed roles share one ClickHouse server (chdb locks its data directory to one process)');
  if ((role === 'api' || role === 'stream') && !keys.KAFKA_BROKERS) missing('KAFKA_BROKERS', 'distributed roles share one Kafka event log');
  if (role === 'api' && !keys.REDIS_URL) missing('REDIS_URL', 'API processes share one query cache');
  if (role === 'worker' && !keys.TEMPORAL_ADDRESS) missing('TEMPORAL_ADDRESS', 'the worker runs Temporal workflows');
  if (keys.S3_ENDPOINT && !keys.S3_BUCKET) missing('S3_BUCKET', 'S3_ENDPOINT is set');
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`"STRATA_CONFIG" names ${path}, which cannot be read: ${(err as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`"STRATA_CONFIG" file ${path} is not a JSON object of settings: ${(err as Error).message}`);
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
