import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** A port nothing listens on now (for a public URL that must name the port before the server starts). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A listening console on a real-clock harness and a headless Chromium, with the flags this machine
 * needs (no sandbox as root, no background networking on its closed network). `localhost: true`
 * serves it as http://localhost:<port>, its public URL too: a secure context with a valid WebAuthn
 * RP ID (an IP address is none), for passkeys.
 */
export async function openConsole(options: HarnessOptions & { localhost?: boolean } = {}) {
  if (!browserAvailable) throw new Error(`TWOFOLD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);
  const { chromium } = await import('playwright-core');
  const { localhost, ...harnessOptions } = options;
  const port = localhost ? await freePort() : 0;
  const h: Harness = await createHarness('sqlite', {
    realClock: true,
    ...harnessOptions,
    ...(localhost ? { config: { ...harnessOptions.config, publicUrl: `http://localhost:${port}` } } : {}),
  });
  await h.app.listen({ host: '127.0.0.1', port });
  const base = `http://${localhost ? 'localhost' : '127.0.0.1'}:${(h.app.server.address() as { port: number }).port}`;
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

/**
 * The DevTools virtual authenticator in `page`: a platform passkey provider (CTAP2, internal,
 * resident keys, user verification) that answers every ceremony at once, as a person touching it.
 */
export async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const add = async () =>
    (
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      })
    ).authenticatorId;
  let authenticatorId = await add();
  type Credential = Awaited<ReturnType<typeof cdp.send<'WebAuthn.getCredentials'>>>['credentials'][number];
  return {
    /** The passkeys it holds. */
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    /**
     * Another authenticator in its place (the old one removed, a new one added) holding exactly
     * `credentials`: e.g. a passkey's id with another private key, whose signatures do not verify.
     */
    async replace(credentials: Credential[]) {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      authenticatorId = await add();
      for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
  };
}
