import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHarness, type Harness, type HarnessOptions } from './harness.js';

/** Debian's Chromium, driven by playwright-core; TWOFOLD_REQUIRE_BROWSER=1 (CI) makes its absence a failure. */
export const CHROMIUM = '/usr/bin/chromium';
export const browserRequired = process.env.TWOFOLD_REQUIRE_BROWSER === '1';
export const browserAvailable = existsSync(CHROMIUM);

export const WIDTHS = [
  ['1280 px', { width: 1280, height: 900 }],
  ['390 px', { width: 390, height: 844 }],
] as const;

/**
 * A listening console on a real-clock harness and a headless Chromium, with the flags this machine
 * needs (no sandbox as root, no background networking on its closed network).
 */
export async function openConsole(options: HarnessOptions = {}) {
  if (!browserAvailable) throw new Error(`TWOFOLD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);
  const { chromium } = await import('playwright-core');
  const h: Harness = await createHarness('sqlite', { realClock: true, ...options });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const contexts: BrowserContext[] = [];
  return {
    h,
    base,
    browser,
    /** A tab in a context of its own (its own cookies) at this viewport. */
    async tab(viewport: { width: number; height: number }): Promise<{ tab: Page; context: BrowserContext }> {
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      return { tab: await context.newPage(), context };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await h.close();
    },
  };
}
export type ConsoleUnderTest = Awaited<ReturnType<typeof openConsole>>;
