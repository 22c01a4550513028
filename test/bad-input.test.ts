import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from './helpers/prng.js';
import { connect } from 'node:net';
import { createServer } from 'node:http';
import { clientErrorHandler } from '../src/http/plugins/errors.js';
import { call, createHarness, databaseKinds, signupAndLogin, userWithDevice, type Harness } from './helpers/harness.js';
import { errorCodes } from '../src/errors/codes.js';

const FIELDS = [
  'email',
  'password',
  'login',
  'challengeId',
  'code',
  'codes',
  'enrollmentId',
  'method',
  'displayName',
  'phone',
  'username',
  'mfaRequired',
  'roles',
  'disabled',
  'reason',
  'channel',
  'verificationId',
  'name',
  'graceDays',
  'userId',
  'role',
  'sensitiveOperations',
  'currentPassword',
  'credential',
  'type',
  'phishingResistant',
  '__proto__',
  'constructor',
  'x',
];
const STRINGS = [
  '',
  ' ',
  'email',
  'sms',
  '123456',
  '12345',
  '1234567',
  '١٢٣٤٥٦',
  '１２３４５６',
  '12345\u0000',
  'a@b.co',
  'user@example.com',
  'totp',
  'password',
  'correct horse battery',
  '<script>',
  "' or 1=1 --",
  '\uD800',
  '😀😀😀',
  '+15551234567',
];

function randomValue(rand: () => number, depth = 0): unknown {
  const pick = Math.floor(rand() * 11);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return Math.floor(rand() * 2_000_000) - 1_000_000;
    case 3:
      return rand() * 1e308 * (rand() < 0.5 ? -1 : 1);
    case 4:
      return STRINGS[Math.floor(rand() * STRINGS.length)];
    case 5:
      return 'x'.repeat(Math.floor(rand() * 5000));
    case 6:
      return String.fromCharCode(...Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 0xffff)));
    case 7:
      return depth < 3 ? Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1)) : [];
    case 8:
      return depth < 3 ? randomObject(rand, depth + 1) : {};
    case 9:
      return String(Math.floor(rand() * 1_000_000)).padStart(6, '0');
    default:
      return [
        String(Math.floor(rand() * 1_000_000)).padStart(6, '0'),
        String(Math.floor(rand() * 1_000_000)).padStart(6, '0'),
      ];
  }
}

function randomObject(rand: () => number, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = Math.floor(rand() * 5);
  // defineProperty, so a "__proto__" key is a real own key (as JSON.parse makes it), not a prototype change
  for (let i = 0; i < count; i++)
    Object.defineProperty(out, FIELDS[Math.floor(rand() * FIELDS.length)]!, {
      value: randomValue(rand, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** A body: mostly JSON objects near the real shape, sometimes broken JSON, other types or huge. */
function randomBody(rand: () => number): { payload: string; contentType: string } {
  const roll = rand();
  if (roll < 0.08) return { payload: '{"code": "1234', contentType: 'application/json' };
  if (roll < 0.12) return { payload: 'code=123456', contentType: 'text/plain' };
  if (roll < 0.15) return { payload: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), contentType: 'application/json' };
  if (roll < 0.2) return { payload: JSON.stringify(randomValue(rand)), contentType: 'application/json' };
  if (roll < 0.23)
    return { payload: '{"__proto__": {"admin": true}, "code": "123456"}', contentType: 'application/json' };
  return {
    payload: JSON.stringify(randomObject(rand)),
    contentType: rand() < 0.95 ? 'application/json' : 'application/json; charset=latin1',
  };
}

const BODIES_PER_ENDPOINT = 1000;

describe.each(databaseKinds())('bad input on %s', (kind) => {
  let h: Harness;
  let token: string;
  let mfaToken: string;
  let subUserId: string;
  let workspaceId: string;
  let deviceId: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    token = (await signupAndLogin(h)).token;
    const user = await userWithDevice(h);
    mfaToken = user.token;
    deviceId = user.deviceId;
    const sub = await call(h.app, 'POST', '/api/v1/users', {
      token,
      body: { username: 'fuzz-target', password: 'a good password' },
    });
    subUserId = sub.body.user.id;
    workspaceId = (await call(h.app, 'POST', '/api/v1/workspaces', { token, body: { name: 'fuzz' } })).body.workspace
      .id;
  });
  afterAll(async () => h.close());

  const endpoints: { method: string; url: string; auth: 'none' | 'plain' | 'mfa' }[] = [
    { method: 'POST', url: '/api/v1/accounts', auth: 'none' },
    { method: 'POST', url: '/api/v1/sessions', auth: 'none' },
    { method: 'POST', url: '/api/v1/sessions/mfa', auth: 'none' },
    { method: 'POST', url: '/api/v1/me/step-up', auth: 'mfa' },
    { method: 'POST', url: '/api/v1/me/mfa-device', auth: 'plain' },
    { method: 'POST', url: '/api/v1/me/mfa-device/activate', auth: 'plain' },
    { method: 'DELETE', url: '/api/v1/me/mfa-device', auth: 'mfa' },
    { method: 'POST', url: '/api/v1/me/mfa-device/resync', auth: 'mfa' },
    { method: 'POST', url: '/api/v1/me/mfa-devices', auth: 'plain' },
    { method: 'POST', url: '/api/v1/me/mfa-devices/activate', auth: 'plain' },
    { method: 'PATCH', url: '/api/v1/me/mfa-devices/DEV', auth: 'mfa' },
    { method: 'POST', url: '/api/v1/sessions/passkey', auth: 'none' },
    { method: 'DELETE', url: '/api/v1/users/SUB/mfa-devices/DEV', auth: 'plain' },
    { method: 'DELETE', url: '/api/v1/sessions/current', auth: 'none' },
    { method: 'POST', url: '/api/v1/me/verifications', auth: 'plain' },
    { method: 'POST', url: '/api/v1/users', auth: 'plain' },
    { method: 'PATCH', url: '/api/v1/users/SUB', auth: 'plain' },
    { method: 'POST', url: '/api/v1/users/SUB/mfa-device/activate', auth: 'plain' },
    { method: 'DELETE', url: '/api/v1/users/SUB/mfa-device', auth: 'plain' },
    { method: 'POST', url: '/api/v1/workspaces', auth: 'plain' },
    { method: 'PATCH', url: '/api/v1/me', auth: 'plain' },
    { method: 'PUT', url: '/api/v1/me/protection', auth: 'plain' },
    { method: 'PATCH', url: '/api/v1/workspaces/WS', auth: 'plain' },
    { method: 'POST', url: '/api/v1/workspaces/WS/members', auth: 'plain' },
  ];

  it.each(endpoints)(
    `$method $url: ${BODIES_PER_ENDPOINT} random bodies, never a 5xx, always a catalogued code`,
    async ({ method, url, auth }) => {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const rand = prng(seed);
      const seen = new Map<number, number>();
      for (let i = 0; i < BODIES_PER_ENDPOINT; i++) {
        const body = randomBody(rand);
        const response = await h.app.inject({
          method: method as 'POST',
          url: url.replace('SUB', subUserId).replace('WS', workspaceId).replace('DEV', deviceId),
          payload: body.payload,
          headers: {
            'content-type': body.contentType,
            ...(auth === 'plain'
              ? { authorization: `Bearer ${token}` }
              : auth === 'mfa'
                ? { authorization: `Bearer ${mfaToken}` }
                : {}),
          },
        });
        seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
        expect(response.statusCode, `seed ${seed}, body ${body.payload.slice(0, 200)}`).toBeLessThan(500);
        if (response.statusCode >= 400) {
          const parsed = JSON.parse(response.body);
          expect(errorCodes, `seed ${seed}`).toContain(parsed.error.code);
        }
      }
      expect([...seen.keys()].some((s) => s >= 400)).toBe(true);
    },
  );

  it('GET /users and /users/{id}: 1000 random queries and ids, never a 5xx', async () => {
    const rand = prng(11);
    for (let i = 0; i < BODIES_PER_ENDPOINT; i++) {
      const value = encodeURIComponent(
        String(JSON.stringify(randomValue(rand)) ?? '').replace(/[\uD800-\uDFFF]/g, '?'),
      );
      const url = i % 2 === 0 ? `/api/v1/users?mfa=${value}` : `/api/v1/users/${value || 'x'}`;
      const response = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode, url).toBeLessThan(500);
    }
  });

  it('GET /audit-events: 1000 random query strings, never a 5xx', async () => {
    const rand = prng(7);
    for (let i = 0; i < BODIES_PER_ENDPOINT; i++) {
      const parts = Array.from(
        { length: Math.floor(rand() * 4) },
        () =>
          `${encodeURIComponent(FIELDS.concat(['limit', 'type', 'userId', 'before'])[Math.floor(rand() * 17)]!)}=${encodeURIComponent(String(JSON.stringify(randomValue(rand)) ?? '').replace(/[\uD800-\uDFFF]/g, '?'))}`,
      );
      const response = await h.app.inject({
        method: 'GET',
        url: `/api/v1/audit-events?${parts.join('&')}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode, parts.join('&')).toBeLessThan(500);
    }
  });

  describe('named cases', () => {
    const cases: [string, string, string, string, number, string][] = [
      ['malformed JSON', 'POST', '/api/v1/sessions', '{"login": ', 400, 'request.invalid_json'],
      [
        'a body over 64 KiB',
        'POST',
        '/api/v1/sessions',
        JSON.stringify({ login: 'a', password: 'x'.repeat(70_000) }),
        413,
        'request.too_large',
      ],
      [
        'a wrong type',
        'POST',
        '/api/v1/sessions',
        JSON.stringify({ login: 42, password: 'x' }),
        400,
        'validation.failed',
      ],
      [
        'an extra field',
        'POST',
        '/api/v1/sessions',
        JSON.stringify({ login: 'a', password: 'b', remember: true }),
        400,
        'validation.failed',
      ],
      [
        'a 5-digit code',
        'POST',
        '/api/v1/sessions/mfa',
        JSON.stringify({ challengeId: 'c', code: '12345' }),
        400,
        'validation.failed',
      ],
      [
        'a 7-digit code',
        'POST',
        '/api/v1/sessions/mfa',
        JSON.stringify({ challengeId: 'c', code: '1234567' }),
        400,
        'validation.failed',
      ],
      [
        'Arabic-Indic digits',
        'POST',
        '/api/v1/sessions/mfa',
        JSON.stringify({ challengeId: 'c', code: '١٢٣٤٥٦' }),
        400,
        'validation.failed',
      ],
      [
        'full-width digits',
        'POST',
        '/api/v1/sessions/mfa',
        JSON.stringify({ challengeId: 'c', code: '１２３４５６' }),
        400,
        'validation.failed',
      ],
      [
        'a number instead of a code string',
        'POST',
        '/api/v1/sessions/mfa',
        JSON.stringify({ challengeId: 'c', code: 123456 }),
        400,
        'validation.failed',
      ],
      [
        'a very long login',
        'POST',
        '/api/v1/sessions',
        JSON.stringify({ login: 'a'.repeat(10_000), password: 'b' }),
        400,
        'validation.failed',
      ],
      ['a JSON array', 'POST', '/api/v1/accounts', '[]', 400, 'validation.failed'],
      ['an empty body', 'POST', '/api/v1/accounts', '', 400, 'validation.failed'],
      ['proto pollution', 'POST', '/api/v1/accounts', '{"__proto__": {"x": 1}}', 400, 'request.invalid_json'],
      [
        'a NUL character (PostgreSQL text cannot hold it)',
        'POST',
        '/api/v1/accounts',
        JSON.stringify({ email: 'nul@example.com', password: 'pass\u0000word', displayName: 'a\u0000b' }),
        400,
        'validation.failed',
      ],
      [
        'a NUL character in a key',
        'POST',
        '/api/v1/sessions',
        '{"login\\u0000": "a", "password": "b"}',
        400,
        'validation.failed',
      ],
    ];
    it.each(cases)('%s → %i-class %s', async (_name, method, url, payload, status, code) => {
      const response = await h.app.inject({
        method: method as 'POST',
        url,
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(status);
      expect(JSON.parse(response.body).error.code).toBe(code);
    });
    it('a non-JSON content type → 415 request.unsupported_media_type', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: 'login=a',
        headers: { 'content-type': 'text/plain' },
      });
      expect(response.statusCode).toBe(415);
      expect(JSON.parse(response.body).error.code).toBe('request.unsupported_media_type');
    });
    it('malformed percent-encoding in a query → 400, not 500', async () => {
      const response = await h.app.inject({
        method: 'GET',
        url: '/api/v1/audit-events?limit=%ZZ&type=%D8%00',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(400);
    });
    it("the router's own refusals answer in the contract's shape, with the security headers: bad %-encoding, over-long ids", async () => {
      const long = 'a'.repeat(101);
      const cases: [string, number, string][] = [
        ['/api/v1/users/%E0%A4%A', 400, 'request.invalid_url'],
        ['/api/v1/%zz', 400, 'request.invalid_url'],
        ['/api/v1/recovery-tickets/%C0', 400, 'request.invalid_url'],
        [`/api/v1/users/${long}`, 400, 'request.invalid_url'],
        [`/api/v1/support/recovery-tickets/${long}/files/x`, 400, 'request.invalid_url'],
        // Under the router's limit (100): an id like any other that names no user.
        [`/api/v1/users/${'b'.repeat(100)}`, 404, 'user.not_found'],
      ];
      for (const [url, status, code] of cases) {
        const response = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
        expect(response.statusCode, url).toBe(status);
        expect(response.json().error.code, url).toBe(code);
        expect(response.json().error.message, url).not.toMatch(/FST_|url component/);
        expect(response.headers['content-security-policy'], url).toContain("default-src 'self'");
        expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      }
      // A console address gets a page, not JSON.
      const page = await h.app.inject({ method: 'GET', url: '/users/%zz' });
      expect(page.statusCode).toBe(400);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).not.toContain('FST_ERR');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      // In the console's own words (issue 20): no "No route GET …", no API message.
      for (const [url, status, text] of [
        ['/users/%00%ff', 400, 'This address is not valid'],
        ['/workspaces/%00', 400, 'This address is not valid'],
        ['/no-such-page', 404, 'There is no page at this address'],
      ] as const) {
        const res = await h.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(status);
        expect(res.headers['content-type'], url).toMatch(/^text\/html/);
        expect(res.body, url).toContain(text);
        expect(res.body, url).not.toMatch(/No route|RFC 3986|NUL character/);
      }
    });
    it('an unknown route → 404 request.not_found', async () => {
      const res = await call(h.app, 'GET', '/api/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('request.not_found');
    });
    it('nothing is half-written: a refused sign-up leaves no rows', async () => {
      const before = await h.database.db.selectFrom('users').select('id').execute();
      await call(h.app, 'POST', '/api/v1/accounts', { body: { email: 'half@example.com', password: 'short' } });
      const after = await h.database.db.selectFrom('users').select('id').execute();
      expect(after.length).toBe(before.length);
    });
  });
});

describe("what Node's HTTP parser refuses is answered in the contract's shape", () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await createHarness('sqlite');
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => h.close());

  /** Sends raw bytes on a fresh connection; resolves with everything the server wrote before closing. */
  const raw = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  const json = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

  it('a broken request line → 400 request.invalid_http; headers over 16 KiB → 431 request.headers_too_large', async () => {
    const broken = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(broken).toMatch(/^HTTP\/1\.1 400 /);
    expect(json(broken).error.code).toBe('request.invalid_http');
    expect(broken).toMatch(/cache-control: no-store/i);
    const huge = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(json(huge).error.code).toBe('request.headers_too_large');
    expect(huge).not.toContain('Client Error');
  });

  it('a request that never finishes arriving → 408 request.timeout', async () => {
    // The app's own server waits minutes (Node's default requestTimeout), so a server with short
    // timeouts carries the same handler; what is tested is the handler's answer to Node's refusal.
    const server = createServer(
      { headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 },
      () => {},
    );
    server.on('clientError', clientErrorHandler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const slowPort = (server.address() as { port: number }).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(slowPort, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    await new Promise((resolve) => server.close(resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(json(answer).error.code).toBe('request.timeout');
  });
});
