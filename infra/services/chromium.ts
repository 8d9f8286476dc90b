/**
 * The browser that the dashboard's tests and bench drive: Debian's chromium, installed with apt on
 * first use (test tools' own browser downloads cannot reach their hosts from here). Not a service:
 * each test launches its own, headless, with a fresh profile.
 */
import { existsSync } from 'node:fs';
import { withLock } from './lock';
import { runStep, type Log } from './process';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a closed network: without the background-networking ones Chromium keeps dialling
 * Google's hosts and fills the log with refused connections.
 */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** The chromium to launch: STRATA_CHROMIUM, else Debian's, installed now when missing. */
export async function ensureChromium(log: Log): Promise<string> {
  const chosen = process.env.STRATA_CHROMIUM;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`"STRATA_CHROMIUM" is "${chosen}", which does not exist`);
    return chosen;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`no chromium at ${DEBIAN_CHROMIUM}: install Debian's "chromium" package (apt-get install chromium), or set STRATA_CHROMIUM to a Chromium binary`);
  }
  return withLock('chromium', log, async () => {
    if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
    log('installing Debian chromium (apt-get, once per machine)');
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    await runStep('chromium', 'apt-get', ['update', '-qq'], env);
    await runStep('chromium', 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], env);
    if (!existsSync(DEBIAN_CHROMIUM)) throw new Error(`apt-get installed chromium, but ${DEBIAN_CHROMIUM} is still missing`);
    return DEBIAN_CHROMIUM;
  });
}
