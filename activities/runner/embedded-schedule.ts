/**
 * The embedded runner's schedule: what the Temporal Schedule does every minute, in-process, on the
 * same activities. A tick that is still running when the next is due is not doubled (the Schedule
 * skips overlaps too); the hours it would publish are persisted by the publish itself.
 */
import type { Logger } from 'pino';
import { inLanes } from '../../core/lanes';
import type { Activities } from '..';

const TICK_MS = 60_000;

export function startEmbeddedSchedule(activities: Pick<Activities, 'dueHours' | 'reconcileHour' | 'dueDays' | 'reconcileDay'>, logger: Logger, concurrency = 2): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopping = false;
  const tick = async (): Promise<void> => {
    const due = await activities.dueHours(new Date().toISOString());
    await inLanes(due, concurrency, ({ tenant, hour }) => activities.reconcileHour(tenant, hour), () => !stopping);
    if (due.length > 0) logger.info({ hours: due.length }, 'reconciled due hours');
    const days = await activities.dueDays();
    await inLanes(days, concurrency, ({ tenant, day }) => activities.reconcileDay(tenant, day), () => !stopping);
    if (days.length > 0) logger.info({ days: days.length }, 'built due days');
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
