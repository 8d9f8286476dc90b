/** "Data as of N s ago", from /v1/status's last flush, ticking every second between fetches. */
import { api } from './api';

export function freshnessIndicator(el: HTMLElement): { update(): Promise<void> } {
  let asOf: number | null = null;
  let failed = false;
  const render = () => {
    if (failed) el.textContent = 'status unavailable';
    else if (asOf === null) el.textContent = 'no data yet: send an event to begin';
    else el.textContent = `data as of ${Math.max(0, Math.round((Date.now() - asOf) / 1000))} s ago`;
    el.dataset.asOf = asOf === null ? '' : String(asOf);
  };
  setInterval(render, 1000);
  return {
    async update() {
      try {
        const status = await api.status();
        asOf = status.last_flush_at ? Date.parse(status.last_flush_at) : null;
        failed = false;
      } catch {
        failed = true;
      }
      render();
    },
  };
}
