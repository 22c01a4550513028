import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';

/**
 * A relying party's and a browser's side of an OpenID Connect sign-in, against the app in-process:
 * openid-client (a certified RP library) speaks to the provider through `app.inject`, and a small
 * cookie-keeping browser follows redirects, meta refreshes and the console's forms.
 */
export const PUBLIC_URL = 'http://twofold.test';
export const ISSUER = `${PUBLIC_URL}/oidc`;

/** A fetch that answers from the app in-process (openid-client's `customFetch`). */
export function injectFetch(appOf: () => FastifyInstance): client.CustomFetch {
  return async (url, options) => {
    const app = appOf();
    const target = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(options.headers as HeadersInit).forEach((value, key) => (headers[key] = value));
    const response = await app.inject({
      method: (options.method ?? 'GET') as 'GET',
      url: target.pathname + target.search,
      headers,
      ...(options.body !== undefined && options.body !== null ? { payload: String(options.body) } : {}),
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [String(value)]) out.append(name, v);
    }
    return new Response(response.statusCode === 204 ? null : new Uint8Array(response.rawPayload), {
      status: response.statusCode,
      headers: out,
    });
  };
}

/** Discovers the issuer as an RP does, through the app. */
export async function discover(
  app: FastifyInstance | (() => FastifyInstance),
  clientId: string,
  clientSecret?: string,
  issuer = ISSUER,
) {
  const appOf = typeof app === 'function' ? app : () => app;
  const config = await client.discovery(
    new URL(issuer),
    clientId,
    clientSecret ? { client_secret: clientSecret } : undefined,
    clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
    { execute: [client.allowInsecureRequests], [client.customFetch]: injectFetch(appOf) },
  );
  return config;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface Page {
  url: string;
  status: number;
  html: string;
  location?: string;
}

/** A browser: a cookie jar (with paths), redirects, meta refreshes and console forms. */
export class Browser {
  private cookies: Cookie[] = [];
  /** Every URL visited, in order (to check no redirect went somewhere it must not). */
  readonly visited: string[] = [];

  constructor(
    /** Public: a test that restarts the app points the browser at the new one. */
    public app: FastifyInstance,
    private readonly stopAt: string[] = ['https://app.example', 'http://localhost:8123'],
    /** The console's public URL: requests are made on it, and forms carry it as their Origin. */
    private readonly base: string = PUBLIC_URL,
  ) {}

  /** The value of a cookie whose name ends with `suffix` (the CSRF token a script would read). */
  cookie(suffix: string): string | undefined {
    return this.cookies.find((c) => c.name.endsWith(suffix))?.value;
  }

  private cookieHeader(path: string): string {
    return this.cookies
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private keep(setCookie: string | string[] | undefined) {
    for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path =
        attributes
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith('path='))
          ?.slice(5) ?? '/';
      const expired =
        attributes.some((a) => /^max-age=0$/i.test(a.trim())) ||
        attributes.some((a) => /^expires=thu, 01 jan 1970/i.test(a.trim()));
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired && value !== '') this.cookies.push({ name, value, path });
    }
  }

  hasCookie(name: string): boolean {
    return this.cookies.some((c) => c.name === name);
  }

  /** One request, no redirect followed. */
  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<Page> {
    const target = new URL(url, this.base);
    this.visited.push(target.href);
    const response = await this.app.inject({
      method,
      url: target.pathname + target.search,
      headers: {
        cookie: this.cookieHeader(target.pathname),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: this.base } : {}),
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    this.keep(response.headers['set-cookie']);
    const location = response.headers.location as string | undefined;
    return {
      url: target.href,
      status: response.statusCode,
      html: response.body,
      ...(location ? { location: new URL(location, target).href } : {}),
    };
  }

  /**
   * Follows redirects and meta refreshes from `url` until a page stays, or the browser is sent to
   * the application (returned unvisited: its URL carries the code or the error).
   */
  async go(url: string, method: 'GET' | 'POST' = 'GET', form?: Record<string, string>): Promise<Page> {
    let page = await this.request(method, url, form);
    for (let hops = 0; hops < 20; hops++) {
      const next = page.location ?? refreshOf(page.html, page.url);
      if (!next) return page;
      if (this.stopAt.some((prefix) => next.startsWith(prefix))) return { url: next, status: 0, html: '' };
      page = await this.request('GET', next);
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Submits the page's form whose action matches, with its hidden fields and `fields`. */
  async submit(page: Page, action: string | RegExp, fields: Record<string, string>, having?: string): Promise<Page> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
    const found = forms.find(
      ([, a, body]) =>
        (typeof action === 'string' ? a === action : action.test(a!)) && (!having || body!.includes(having)),
    );
    if (!found) throw new Error(`no form ${action} on ${page.url}: ${page.html.slice(0, 2000)}`);
    const hidden = Object.fromEntries(
      [...found[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)].map(([input]) => [
        /name="([^"]+)"/.exec(input)![1]!,
        decodeEntities(/value="([^"]*)"/.exec(input)?.[1] ?? ''),
      ]),
    );
    const target = new URL(decodeEntities(found[1]!), page.url);
    if (/method="get"/i.test(found[0].slice(0, found[0].indexOf('>')))) {
      for (const [name, value] of Object.entries({ ...hidden, ...fields })) target.searchParams.set(name, value);
      return this.go(target.href);
    }
    return this.go(target.href, 'POST', { ...hidden, ...fields });
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function refreshOf(html: string, base: string): string | undefined {
  const match = /<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(html);
  return match ? new URL(decodeEntities(match[1]!), base).href : undefined;
}

/** A code + PKCE authorization request (RFC 7636) with state and nonce. */
export async function authorizationRequest(config: client.Configuration, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: 'https://app.example/cb',
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url: url.href, verifier, state, nonce };
}

export { client };
