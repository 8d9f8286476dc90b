/**
 * Starts the servers a benchmark measures as child processes, so that the load generator never
 * shares their event loop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface Running {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  return port;
}

/**
 * Node's arguments before a script, for every process the bench and the tests start: the flag is
 * how Strata runs (bin/strata.mjs says why); the baseline server gets it too, alike.
 */
export const NODE_ARGS = ['--no-memory-reducer', '--import', 'tsx'];

/** Spawns `node …NODE_ARGS <script> …args` and waits until `url + path` answers 2xx. */
export async function startNode(script: string, args: string[], env: NodeJS.ProcessEnv, url: string, path: string): Promise<Running> {
  const child = spawn(process.execPath, [...NODE_ARGS, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(url + path).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop(child);
      throw new Error(`${script} did not answer ${url + path} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await once(child, 'exit');
  clearTimeout(timer);
}
