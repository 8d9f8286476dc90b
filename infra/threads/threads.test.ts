import { describe, expect, it } from 'vitest';
import { startThread } from './threads';

const failure = (why: string) => new Error(why);

describe('a worker thread', () => {
  it('says when its module has loaded, then answers requests', async () => {
    const thread = startThread<{ id: number; text: string }, { id: number; text: string }>(new URL('./test-threads/echo.ts', import.meta.url), { failure });
    try {
      let loaded = false;
      await thread.loaded.then(() => (loaded = true));
      expect(loaded).toBe(true);
      expect(await thread.call({ text: 'hello' })).toEqual({ id: 0, text: 'hello' });
    } finally {
      await thread.close();
    }
  });

  it('settles `loaded` too when its module fails to load, so that readiness never hangs on it', async () => {
    let exited = false;
    const thread = startThread(new URL('./test-threads/fails-to-load.ts', import.meta.url), { failure, onExit: () => (exited = true) });
    await thread.loaded;
    await expect(thread.call({})).rejects.toThrow(/exited|closed/);
    expect(exited).toBe(true);
    await thread.close();
  });
});

describe('niceThisThread', () => {
  it.runIf(process.platform === 'linux')('lowers the calling thread alone, not the process it runs in', async () => {
    const thread = startThread<{ id: number; nice: number }, { id: number; done: boolean; thread: number; process: number }>(new URL('./test-threads/niced.ts', import.meta.url), { failure });
    try {
      const before = await thread.call({ nice: 0 });
      const reply = await thread.call({ nice: before.thread + 5 });
      expect(reply.done).toBe(true);
      expect(reply.thread).toBe(before.thread + 5);
      expect(reply.process).toBe(before.process);
    } finally {
      await thread.close();
    }
  });
});
