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
  // Per tenant, each user's latest event time: no key is built per event.
  const byTenant = new Map<string, Map<string, number>>();
  return {
    isStart(tenant, userId, timestamp) {
      let lastSeen = byTenant.get(tenant);
      if (!lastSeen) byTenant.set(tenant, (lastSeen = new Map()));
      const last = lastSeen.get(userId);
      if (last === undefined || timestamp - last > SESSION_GAP_MS) {
        lastSeen.set(userId, timestamp);
        return true;
      }
      // An event older than the latest one seen is inside a known stretch of activity or before
      // it; which, only the batch layer can tell. It is not counted as a start here.
      if (timestamp > last) lastSeen.set(userId, timestamp);
      return false;
    },
    sweep(horizon) {
      for (const [tenant, lastSeen] of byTenant) {
        for (const [user, last] of lastSeen) if (last < horizon) lastSeen.delete(user);
        if (lastSeen.size === 0) byTenant.delete(tenant);
      }
    },
    get size() {
      let n = 0;
      for (const lastSeen of byTenant.values()) n += lastSeen.size;
      return n;
    },
  };
}
