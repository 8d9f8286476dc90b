/**
 * The embedded runner's schedule: what the Temporal Schedule does every minute, in-process, on the
 * same activities. A tick that is still running when the next is due is not doubled (the Schedule
 * skips overlaps too); the hours it would publish are persisted by the publish itself.
 */
import type { Logger } from 'pino';
import type { Activities } from '..';

const TICK_MS = 60_000;

export function startEmbeddedSchedule(activities: Pick<Activities, 'dueHours' | 'reconcileHour'>, logger: Logger, concurrency = 2): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopping = false;
  const tick = async (): Promise<void> => {
    const due = await activities.dueHours(new Date().toISOString());
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < due.length && !stopping) {
        const { tenant, hour } = due[next++] as { tenant: string; hour: string };
        await activities.reconcileHour(tenant, hour);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    if (due.length > 0) logger.info({ hours: due.length }, 'reconciled due hours');
  };
  const timer = setInterval(() => {
    if (running) return;
    running = tick().catch((err: unknown) => logger.error({ err }, 'reconciling due hours failed; the next tick retries')).finally(() => {
      running = undefined;
    });
  }, TICK_MS);
  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      await running;
    },
  };
}
