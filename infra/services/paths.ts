import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where fetched artifacts live. Outside the clone so a fresh checkout (or `git clean`) does not
 * re-download hundreds of megabytes, and CI can cache one directory.
 * @default `$HOME/.cache/strata`
 */
export function servicesHome(): string {
  return process.env.STRATA_SERVICES_HOME ?? join(homedir(), '.cache', 'strata');
}

/** A directory under the services home, created on first use. */
export function homeDir(...parts: string[]): string {
  const dir = join(servicesHome(), ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runtime state of one service (data, pid file, log file): `<home>/run/<service>/`. */
export function runDir(service: string): string {
  return homeDir('run', service);
}

/** The repository root, for scripts we run from the clone (s3rver runner, ClickHouse stand-in). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Shifts every port, so a second checkout (or a CI job sharing the machine) can run its own stack.
 * @default 0
 */
function portOffset(): number {
  const raw = process.env.STRATA_SERVICES_PORT_OFFSET ?? '0';
  if (!/^\d{1,4}$/.test(raw)) throw new Error(`"STRATA_SERVICES_PORT_OFFSET" has invalid value "${raw}": expected an integer 0-9999`);
  return Number(raw);
}
const off = portOffset();

/** Fixed loopback ports: away from the usual defaults so a developer's own stack can coexist. */
export const PORTS = {
  kafka: 19092 + off,
  kafkaController: 19093 + off,
  temporal: 17233 + off,
  temporalUi: 18233 + off,
  redis: 16379 + off,
  s3: 14569 + off,
  clickhouse: 18123 + off,
} as const;

export const HOST = '127.0.0.1';
