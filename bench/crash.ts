/**
 * Starts a server as a child process that a crash test can kill with SIGKILL, the way a machine
 * loses a process: no signal handler runs, no flush, no commit. The same spawn as `startNode`
 * (processes.ts), plus the pid, a hard kill and the tail of the child's output for diagnosis.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { NODE_ARGS } from './processes';

export interface Killable {
  url: string;
  pid: number;
  /** Milliseconds from spawn until `url + path` answered 2xx. */
  startedInMs: number;
  /** SIGKILL, resolving once the process has exited (so nothing of it runs any more). */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after 15 s), resolving once the process has exited. */
  stop(): Promise<void>;
  exited(): boolean;
  /** The last few KB of the child's stdout and stderr. */
  output(): string;
}

export interface KillableOptions {
  /** How long to wait for the health path. @default 90_000 */
  readyTimeoutMs?: number;
}

/** Spawns `node …NODE_ARGS <script> …args` and waits until `url + path` answers 2xx. */
export async function startKillable(
  script: string, args: string[], env: NodeJS.ProcessEnv, url: string, path: string, options: KillableOptions = {},
): Promise<Killable> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [...NODE_ARGS, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = once(child, 'exit').then(() => undefined);
  const handle: Killable = {
    url,
    pid: child.pid ?? -1,
    startedInMs: 0,
    kill: () => kill(child, exit),
    stop: () => stop(child, exit),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    output: () => output,
  };
  const deadline = t0 + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (handle.exited()) throw new Error(`${script} ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before it was ready: ${output}`);
    const ok = await fetch(url + path, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await kill(child, exit);
      throw new Error(`${script} ${args.join(' ')} did not answer ${url + path} within ${deadline - t0} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  handle.startedInMs = Date.now() - t0;
  return handle;
}

async function kill(child: ChildProcess, exit: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exit;
}

async function stop(child: ChildProcess, exit: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exit;
  clearTimeout(timer);
}
