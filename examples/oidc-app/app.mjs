// "Sign in with twofold": a small relying party (OpenID Connect client) on node:http and
// openid-client. Run it with `CLIENT_ID=… CLIENT_SECRET=… node examples/oidc-app/app.mjs` (README.md).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import * as oidc from 'openid-client';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem}td{overflow-wrap:anywhere}';

/** Starts the example on http://localhost:<port>; resolves to `{ url, close }`. */
export async function startExampleApp({ issuer, clientId, clientSecret, port }) {
  let base; // http://localhost:<port>, once listening; the redirect URI is <base>/callback
  // Cookies are not kept apart by port: two examples side by side on localhost need two names.
  let COOKIE = 'oidc_example_session';
  // What each browser is doing, by a random id in a cookie: a pending sign-in, or who signed in.
  const sessions = new Map();
  let discovered;
  const config = () =>
    (discovered ??= oidc
      .discovery(
        new URL(issuer),
        clientId,
        clientSecret ? { client_secret: clientSecret } : undefined,
        // No secret: a public client, which proves itself with PKCE only.
        clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
        // openid-client refuses plain http; allow it only for an http:// issuer (a local trial),
        // never for an https:// one.
        new URL(issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error) => {
        discovered = undefined; // try again at the next request (twofold may not have been up yet)
        throw new Error(`could not read ${issuer}/.well-known/openid-configuration: ${error.message}`);
      }));

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, base);
    const sid = new RegExp(`(?:^|;\\s*)${COOKIE}=([\\w-]+)`).exec(req.headers.cookie ?? '')?.[1];
    const session = sid ? sessions.get(sid) : undefined;
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(
        `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
          `<title>Example app</title><style>${STYLE}</style><h1>Example app</h1>${body}`,
      );
    };
    try {
      if (url.pathname === '/login') {
        const id = randomBytes(16).toString('base64url');
        const pending = {
          verifier: oidc.randomPKCECodeVerifier(),
          state: oidc.randomState(),
          nonce: oidc.randomNonce(),
        };
        sessions.set(id, { pending });
        const to = oidc.buildAuthorizationUrl(await config(), {
          redirect_uri: `${base}/callback`,
          scope: 'openid profile email',
          code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
          code_challenge_method: 'S256',
          state: pending.state,
          nonce: pending.nonce,
        });
        const cookie = `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`;
        return send(302, '', { location: to.href, 'set-cookie': cookie });
      }
      if (url.pathname === '/callback') {
        if (!session?.pending) return send(400, '<p>No sign-in in progress. <a href="/">Start again</a>.</p>');
        sessions.delete(sid); // a state and a code verifier serve once
        const tokens = await oidc.authorizationCodeGrant(await config(), url, {
          pkceCodeVerifier: session.pending.verifier,
          expectedState: session.pending.state,
          expectedNonce: session.pending.nonce,
          idTokenExpected: true,
        });
        sessions.set(sid, { claims: tokens.claims(), idToken: tokens.id_token });
        return send(302, '', { location: '/' });
      }
      if (url.pathname === '/logout') {
        if (sid) sessions.delete(sid);
        if (!session?.idToken) return send(302, '', { location: '/' });
        // RP-initiated logout: twofold asks whether to sign out there too, then sends the browser back here.
        const to = oidc.buildEndSessionUrl(await config(), {
          id_token_hint: session.idToken,
          post_logout_redirect_uri: `${base}/`,
        });
        return send(302, '', { location: to.href });
      }
      if (url.pathname !== '/') return send(404, '<p>Not found.</p>');
      const c = session?.claims;
      if (!c) return send(200, '<p><a href="/login" data-testid="sign-in">Sign in with twofold</a></p>');
      const row = (label, value, testid) =>
        `<tr><th>${label}</th><td data-testid="${testid}">${escape(value ?? '—')}</td></tr>`;
      return send(
        200,
        `<p data-testid="signed-in">Signed in with twofold.</p><table>` +
          row('name', c.name, 'name') +
          row('preferred_username', c.preferred_username, 'preferred-username') +
          row('email', c.email, 'email') +
          row('sub', c.sub, 'sub') +
          row('acr (how)', c.acr, 'acr') +
          row('amr (with what)', (c.amr ?? []).join(' '), 'amr') +
          row('auth_time (when)', c.auth_time && new Date(c.auth_time * 1000).toISOString(), 'auth-time') +
          `</table><p><a href="/logout" data-testid="sign-out">Sign out</a></p>`,
      );
    } catch (error) {
      // access_denied: the person clicked Cancel on twofold's consent screen, or was not allowed in.
      if (error?.error === 'access_denied')
        return send(
          200,
          `<p data-testid="error">You did not sign in: ${escape(error.error_description ?? 'access denied')}</p><p><a href="/">Home</a></p>`,
        );
      const why = error?.error ? `${error.error} ${error.error_description ?? ''}` : String(error?.message ?? error);
      send(502, `<p data-testid="error">Sign-in failed: ${escape(why)}</p><p><a href="/">Home</a></p>`);
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://localhost:${server.address().port}`;
  COOKIE = `oidc_example_session_${server.address().port}`;
  return { url: base, close: () => new Promise((resolve) => server.close(resolve)) };
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { TWOFOLD_ISSUER, CLIENT_ID, CLIENT_SECRET, PORT } = process.env;
  if (!CLIENT_ID) {
    console.error('Set CLIENT_ID (and CLIENT_SECRET for a confidential application): see examples/oidc-app/README.md');
    process.exit(1);
  }
  const app = await startExampleApp({
    issuer: TWOFOLD_ISSUER ?? 'http://127.0.0.1:8080/oidc',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET || undefined,
    port: Number(PORT ?? 8123),
  });
  console.log(`Example app on ${app.url} (redirect URI ${app.url}/callback)`);
}
