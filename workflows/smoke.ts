import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { greet } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/** One workflow, one activity: the smallest proof that the worker, the server and the queue agree. */
export async function smoke(name: string): Promise<string> {
  return await greet(name);
}
