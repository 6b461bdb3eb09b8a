/**
 * Headless Chromium from Debian's package (never a browser download), driven by playwright-core.
 * `.ci/run` installs it; without it these tests fail with the command to run, unless
 * PUENTE_SKIP_BROWSER=1 says to skip them deliberately.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SKIP_BROWSER = process.env.PUENTE_SKIP_BROWSER === '1';

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium), or set PUENTE_SKIP_BROWSER=1 to skip browser tests`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
