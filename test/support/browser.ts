/** Headless Debian chromium through playwright-core, with a fresh profile per launch. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../../infra/services/chromium';

/** Where tests leave screenshots (a CI artifact; ignored by git). */
export const SCREENSHOTS = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  const executablePath = await ensureChromium((line) => console.log(`[chromium] ${line}`));
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
