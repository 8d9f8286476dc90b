/**
 * Provisional session starts: an event starts a session when its user had no event in the 30
 * minutes before it. The speed layer only knows what it has seen since it started, in arrival
 * order, so its figure is provisional; the batch layer recomputes it exactly from the archive.
 */
import { MINUTE_MS } from '../core/time';

export const SESSION_GAP_MS = 30 * MINUTE_MS;

export interface SessionTracker {
  /** True when this event starts a session; records it as the user's latest event. */
  isStart(tenant: string, userId: string, timestamp: number): boolean;
  /** Forgets users idle since before `horizon` (epoch ms), bounding memory to active users. */
  sweep(horizon: number): void;
  readonly size: number;
}

export function createSessionTracker(): SessionTracker {
  const lastSeen = new Map<string, number>();
  return {
    isStart(tenant, userId, timestamp) {
      const key = tenant + '\u0000' + userId;
      const last = lastSeen.get(key);
      if (last === undefined || timestamp - last > SESSION_GAP_MS) {
        lastSeen.set(key, timestamp);
        return true;
      }
      // An event older than the latest one seen is inside a known stretch of activity or before
      // it; which, only the batch layer can tell. It is not counted as a start here.
      if (timestamp > last) lastSeen.set(key, timestamp);
      return false;
    },
    sweep(horizon) {
      for (const [key, last] of lastSeen) if (last < horizon) lastSeen.delete(key);
    },
    get size() {
      return lastSeen.size;
    },
  };
}
