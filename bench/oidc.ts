/**
 * The OpenID Connect phase of `npm run bench` (BENCH_ONLY=oidc runs it alone): how many sign-ins
 * per second an application gets for people already signed in to twofold (single sign-on), over
 * loopback against the real server. One sign-in = the authorization request with the browser's
 * cookies (answered by a redirect carrying a code) + the code exchange at the token endpoint
 * (client_secret_basic, PKCE S256) — what an application pays per user after the first sign-in.
 */
import { createHash, randomBytes } from 'node:crypto';

const PASSWORD = 'bench password 1';
const REDIRECT = 'http://localhost:8123/callback';

interface Browser {
  cookies: Map<string, string>;
}

function keep(browser: Browser, response: Response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    const value = pair!.slice(eq + 1);
    if (value) browser.cookies.set(pair!.slice(0, eq), value);
    else browser.cookies.delete(pair!.slice(0, eq));
  }
}

async function get(base: string, browser: Browser, url: string) {
  const response = await fetch(new URL(url, base), {
    redirect: 'manual',
    headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  keep(browser, response);
  await response.arrayBuffer();
  return response.headers.get('location');
}

async function json(base: string, path: string, body: unknown, token?: string) {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const b64u = (buffer: Buffer) => buffer.toString('base64url');

/** One signed-in browser per worker, then sign-ins to a first-party application for `seconds`. */
export async function oidcSignIns(base: string, seconds: number, workers: number) {
  const email = `oidc-bench-${randomBytes(4).toString('hex')}@example.com`;
  const signup = await json(base, '/api/v1/accounts', { email, password: PASSWORD });
  if (signup.status !== 201) throw new Error(`bench signup: ${JSON.stringify(signup.body)}`);
  const login = await json(base, '/api/v1/sessions', { login: email, password: PASSWORD });
  const token = login.body.session.token as string;
  const created = await json(
    base,
    '/api/v1/oidc-clients',
    { name: 'Bench', redirectUris: [REDIRECT], type: 'confidential', firstParty: true },
    token,
  );
  if (created.status !== 201) throw new Error(`bench client: ${JSON.stringify(created.body)}`);
  const clientId = created.body.client.id as string;
  const basic = `Basic ${Buffer.from(`${clientId}:${created.body.clientSecret}`).toString('base64')}`;

  async function signIn(browser: Browser): Promise<void> {
    const verifier = b64u(randomBytes(32));
    const challenge = b64u(createHash('sha256').update(verifier).digest());
    const query = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: b64u(randomBytes(8)),
    });
    // The first sign-in of a browser passes the console's interaction page; later ones do not.
    let location = await get(base, browser, `/oidc/auth?${query}`);
    for (let hops = 0; location && !location.startsWith(REDIRECT) && hops < 6; hops++)
      location = await get(base, browser, location);
    const code = location ? new URL(location).searchParams.get('code') : null;
    if (!code) throw new Error(`bench: no code (${location})`);
    const response = await fetch(new URL('/oidc/token', base), {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    const tokens = (await response.json()) as { id_token?: string };
    if (!tokens.id_token) throw new Error(`bench: no ID token (${JSON.stringify(tokens)})`);
  }

  const browsers: Browser[] = [];
  for (let i = 0; i < workers; i++) {
    const browser: Browser = { cookies: new Map([['twofold_session', token]]) };
    await signIn(browser); // warm: the provider session exists from here on
    browsers.push(browser);
  }
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    browsers.map(async (browser) => {
      while (Date.now() < until) {
        const start = performance.now();
        await signIn(browser);
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), count: latencies.length };
}
