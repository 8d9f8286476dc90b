import { withLock } from './lock';
import { logTail, runningPid, startDetached, stopService, waitFor, type Log, type Started } from './process';

export type ServiceName = 'kafka' | 'temporal' | 'redis' | 's3' | 'clickhouse';

/** What each service module provides; `bringUp` does the rest the same way for all of them. */
export interface ServiceDef {
  name: ServiceName;
  /** Fetches whatever is missing from the cache. Idempotent, and a no-op when warm. */
  install(log: Log): Promise<void>;
  /** The command line of the long-running process. */
  command(): Promise<{ command: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string }>;
  /** True when a client can really use the service (not merely when the port is open). */
  healthy(): Promise<boolean>;
  /** How long a cold start may take before we call it failed. */
  startTimeoutMs: number;
}

const isHealthy = (def: ServiceDef): Promise<boolean> => def.healthy().catch(() => false);

/** Starts the service unless it is already healthy. Returns whether this call started it. */
export async function bringUp(def: ServiceDef, log: Log): Promise<boolean> {
  if (await isHealthy(def)) return false;
  await def.install(log);
  return withLock(`${def.name}-start`, log, async () => {
    if (await isHealthy(def)) return false; // another process started it while we waited
    const what = `${def.name} to become healthy`;
    if (runningPid(def.name) !== undefined) {
      log(`${def.name}: its process is running but not healthy yet, waiting (\`down ${def.name}\` if it is stuck)`);
      await waitFor(def.healthy, { timeoutMs: def.startTimeoutMs, what });
      return false;
    }
    const { command, args, env, cwd } = await def.command();
    const t0 = Date.now();
    log(`${def.name}: starting`);
    const proc: Started = startDetached(def.name, command, args, env, cwd);
    try {
      await waitFor(def.healthy, { timeoutMs: def.startTimeoutMs, what, intervalMs: 300, abortIf: proc.exited });
    } catch (err) {
      const tailText = logTail(def.name);
      await stopService(def.name, 5_000); // leave no half-started process holding the port
      throw new Error(`${def.name}: ${(err as Error).message}\n${tailText}`);
    }
    log(`${def.name}: up in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${proc.pid})`);
    return true;
  });
}
