import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from './paths';

export type Log = (line: string) => void;

const tail = (text: string, lines = 20): string => text.trimEnd().split('\n').slice(-lines).join('\n');

/**
 * Runs an install step to completion. Output goes to `<run>/<service>/install.log` (a Maven or Go
 * build prints thousands of lines); on failure the error names the service, the command and the
 * output tail, which is what the person reading a CI log needs.
 */
export async function runStep(service: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const logPath = join(runDir(service), 'install.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const collect = (chunk: Buffer): void => {
    writeFileSync(fd, chunk);
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', (err) => { out += `\n${err.message}`; resolve(-1); });
    child.on('close', resolve);
  });
  closeSync(fd);
  if (code !== 0) {
    throw new Error(`${service}: \`${command} ${args.join(' ')}\` failed (exit ${code}); see ${logPath}\n${tail(out)}`);
  }
  return out;
}

interface PidRecord { pid: number; command: string }
const pidPath = (service: string): string => join(runDir(service), 'pid');
export const logPath = (service: string): string => join(runDir(service), `${service}.log`);

/** Zombies and recycled pids both pass `kill(pid, 0)`, so look at /proc as well. */
function alive(rec: PidRecord): boolean {
  try {
    const stat = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return false;
    return readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').includes(rec.command);
  } catch {
    return false;
  }
}

function readPid(service: string): PidRecord | undefined {
  if (!existsSync(pidPath(service))) return undefined;
  try {
    return JSON.parse(readFileSync(pidPath(service), 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

export function runningPid(service: string): number | undefined {
  const rec = readPid(service);
  return rec && alive(rec) ? rec.pid : undefined;
}

export interface Started { pid: number; exited: () => string | undefined }

/**
 * Starts a long-running service in its own process group (so stopping it also stops any children,
 * e.g. tsx's loader), detached so it outlives the CLI that started it.
 */
export function startDetached(
  service: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = runDir(service),
): Started {
  const fd = openSync(logPath(service), 'a');
  writeFileSync(fd, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exit: string | undefined;
  child.on('exit', (code, signal) => { exit = `exited with ${signal ?? `code ${code}`}`; });
  child.on('error', (err) => { exit = err.message; });
  if (child.pid === undefined) throw new Error(`${service}: could not spawn ${command}`);
  child.unref();
  writeFileSync(pidPath(service), JSON.stringify({ pid: child.pid, command } satisfies PidRecord));
  return { pid: child.pid, exited: () => exit };
}

/** SIGTERM the process group, then SIGKILL if it has not gone within the grace period. */
export async function stopService(service: string, graceMs = 15_000): Promise<boolean> {
  const rec = readPid(service);
  if (!rec || !alive(rec)) {
    rmSync(pidPath(service), { force: true });
    return false;
  }
  const signal = (sig: NodeJS.Signals): void => {
    try { process.kill(-rec.pid, sig); } catch { try { process.kill(rec.pid, sig); } catch { /* gone */ } }
  };
  signal('SIGTERM');
  const gone = await waitFor(() => !alive(rec), { timeoutMs: graceMs, what: `${service} to stop` }).then(() => true, () => false);
  if (!gone) {
    signal('SIGKILL');
    await waitFor(() => !alive(rec), { timeoutMs: 5_000, what: `${service} to die` });
  }
  rmSync(pidPath(service), { force: true });
  return true;
}

export interface WaitOptions {
  timeoutMs: number;
  what: string;
  intervalMs?: number;
  /** Returns a reason to give up early (e.g. the process exited). */
  abortIf?: () => string | undefined;
}

/** Polls a condition until it holds or the deadline passes; no blind sleeps anywhere. */
export async function waitFor(check: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    const reason = opts.abortIf?.();
    if (reason) throw new Error(`gave up waiting for ${opts.what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

/** Last lines of a service's log, for error messages. */
export function logTail(service: string, lines = 15): string {
  try {
    return tail(readFileSync(logPath(service), 'utf8'), lines);
  } catch {
    return '(no log)';
  }
}
