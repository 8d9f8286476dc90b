import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { withRetries } from './retry';

const logger = pino({ level: 'silent' });

describe('withRetries', () => {
  it('tries again after a failure, and returns the first success', async () => {
    let calls = 0;
    const value = await withRetries('x', logger, async () => {
      if (++calls < 3) throw new Error(`fail ${calls}`);
      return 'ok';
    }, 4, 1);
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after its attempts, with the last error', async () => {
    let calls = 0;
    await expect(withRetries('x', logger, async () => {
      throw new Error(`fail ${++calls}`);
    }, 3, 1)).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });
});
