import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, databaseKinds, call, type Harness } from './helpers/harness.js';
import {
  JPEG,
  PDF,
  multipart,
  operator,
  postMultipart,
  recoveryCode,
  ticketFields,
  verifiedOwner,
} from './helpers/recovery.js';
import { UPLOAD_LIMITS, createUploadGate } from '../src/http/plugins/multipart.js';
import { attachmentDisposition } from '../src/http/api/support.routes.js';

/** A PNG that is also an HTML page: the first bytes say PNG, a browser opening it as .html runs the script. */
const POLYGLOT = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('<html><script>alert(document.domain)</script></html>'),
]);

/** The console form's login and code verification, as its first page leaves them (a cookie on its path). */
const FORM_COOKIE = { twofold_recovery: 'verification-id.someone@example.com' };

/** Issue 19: evidence names, downloads, malformed bodies, and what an upload may cost before it is admitted. */
describe.each(databaseKinds())('evidence uploads on %s', (kind) => {
  let h: Harness;
  let op: Awaited<ReturnType<typeof operator>>;
  beforeAll(async () => {
    h = await createHarness(kind);
    op = await operator(h);
  });
  afterAll(async () => h.close());

  async function ticketWith(files: { name: string; type: string; bytes: Buffer }[]) {
    op.token = (await op.relogin()).token;
    const owner = await verifiedOwner(h, op);
    const { id, code } = await recoveryCode(h, owner.email);
    const res = await postMultipart(
      h,
      '/api/v1/recovery-tickets',
      multipart(ticketFields(owner.email, id, code!), files),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const view = await call(h.app, 'GET', `/api/v1/support/recovery-tickets/${res.body.ticket.id}`, {
      token: op.token,
    });
    return { owner, ticketId: res.body.ticket.id as string, files: view.body.ticket.files as any[] };
  }

  const download = (ticketId: string, fileId: string) =>
    h.app.inject({
      method: 'GET',
      url: `/api/v1/support/recovery-tickets/${ticketId}/files/${fileId}`,
      headers: { authorization: `Bearer ${op.token}` },
    });

  it('names every download by its place and detected type; the applicant name is shown only as escaped text', async () => {
    const { ticketId, files } = await ticketWith([
      { name: 'passport.html', type: 'text/html', bytes: POLYGLOT },
      { name: 'scan.hta', type: 'application/hta', bytes: JPEG },
      { name: '<img src=x onerror=alert(1)>licence.svg', type: 'image/svg+xml', bytes: PDF },
    ]);
    expect(files.map((f) => [f.name, f.downloadName, f.type])).toEqual([
      ['passport.html', 'evidence-1.png', 'image/png'],
      ['scan.hta', 'evidence-2.jpg', 'image/jpeg'],
      ['<img src=x onerror=alert(1)>licence.svg', 'evidence-3.pdf', 'application/pdf'],
    ]);
    const expected = [
      ['evidence-1.png', 'image/png', POLYGLOT],
      ['evidence-2.jpg', 'image/jpeg', JPEG],
      ['evidence-3.pdf', 'application/pdf', PDF],
    ] as const;
    for (const [index, [name, type, bytes]] of expected.entries()) {
      const res = await download(ticketId, files[index].id);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${name}"; filename*=UTF-8''${name}`);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-security-policy']).toBe('sandbox');
      expect(res.rawPayload.equals(bytes)).toBe(true);
    }
    // The support desk page: the link says evidence-1.png, the original name is text, escaped.
    const page = await h.app.inject({
      method: 'GET',
      url: `/support/tickets/${ticketId}`,
      cookies: { twofold_session: op.token },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('evidence-1.png');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)');
    expect(page.body).not.toContain('<img src=x');
  });

  it('a Chinese file name downloads (RFC 6266 filename*), and only a file actually served is audited as viewed', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(3 * 1024 * 1024, 7)]); // many chunks: sealed as it streams
    const { owner, ticketId, files } = await ticketWith([
      { name: '身份证 正面.pdf', type: 'application/pdf', bytes: big },
    ]);
    expect(files[0].name).toBe('身份证 正面.pdf');
    const viewed = async () =>
      (
        await h.database.db
          .selectFrom('audit_events')
          .select('id')
          .where('user_id', '=', owner.userId)
          .where('type', '=', 'recovery.evidence_viewed')
          .execute()
      ).length;
    const res = await download(ticketId, files[0].id);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(big)).toBe(true);
    expect(await viewed()).toBe(1);
    // A file that cannot be opened (its sealed bytes damaged) is a 500 with no detail, and no "viewed" event.
    await h.database.db
      .updateTable('recovery_evidence')
      .set({ content_sealed: 'v1.testkey1.AAAAAAAAAAAAAAAA.AAAA' })
      .where('id', '=', files[0].id)
      .execute();
    const broken = await download(ticketId, files[0].id);
    expect(broken.statusCode).toBe(500);
    expect(broken.json().error.code).toBe('internal.error');
    expect(await viewed()).toBe(1);
  });

  it('the header for any name: ASCII fallback plus UTF-8 filename* (RFC 6266 §4.3, RFC 8187)', () => {
    expect(attachmentDisposition('身份证 正面.pdf')).toBe(
      `attachment; filename="___ __.pdf"; filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81%20%E6%AD%A3%E9%9D%A2.pdf`,
    );
    expect(attachmentDisposition(`a"b\\c'(d).png`)).toBe(
      `attachment; filename="a_b_c'(d).png"; filename*=UTF-8''a%22b%5Cc%27%28d%29.png`,
    );
  });

  it('malformed multipart bodies are 400 request.invalid_multipart on the API and the console, never 500', async () => {
    const boundary = 'xyzBOUNDARY';
    const bodies: [string, string][] = [
      ['garbage', 'this is not multipart at all'],
      ['truncated', `--${boundary}\r\nContent-Disposition: form-data; name="login"\r\n\r\nsomeone`],
      [
        'no closing boundary',
        `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--${boundary}\r\n`,
      ],
      [
        'file cut short',
        `--${boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="a.png"\r\n\r\n\x89PNG\r\n\x1a\n`,
      ],
    ];
    for (const [name, payload] of bodies) {
      for (const url of ['/api/v1/recovery-tickets', '/recovery/ticket']) {
        const res = await h.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: 'http://twofold.test' },
          cookies: FORM_COOKIE,
          payload,
        });
        if (url.startsWith('/api/')) {
          expect(res.statusCode, `${name} ${url}: ${res.body.slice(0, 200)}`).toBe(400);
          expect(res.json().error.code, name).toBe('request.invalid_multipart');
        } else if (name === 'file cut short') {
          // The console checks its form's CSRF token before it reads a file: this one has none.
          expect(res.statusCode, name).toBe(403);
        } else {
          expect(res.statusCode, `${name} ${url}: ${res.body.slice(0, 200)}`).toBe(400);
          expect(res.body, name).toContain('malformed');
        }
      }
    }
    // No boundary at all: the console says malformed, the API that it takes JSON or a form with a boundary.
    const console = await h.app.inject({
      method: 'POST',
      url: '/recovery/ticket',
      headers: { 'content-type': 'multipart/form-data', origin: 'http://twofold.test' },
      cookies: FORM_COOKIE,
      payload: 'x',
    });
    expect(console.statusCode).toBe(400);
    const api = await h.app.inject({
      method: 'POST',
      url: '/api/v1/recovery-tickets',
      headers: { 'content-type': 'multipart/form-data' },
      payload: 'x',
    });
    expect(api.statusCode).toBe(415);
    expect(api.json().error.code).toBe('request.unsupported_media_type');
  });

  it(`uploads share one gate: ${UPLOAD_LIMITS.total} at once in all, ${UPLOAD_LIMITS.perAddress} per address; the next is 503 before any byte is read`, async () => {
    const boundary = 'slowBOUNDARY';
    const stalledUpload = (url: string, address: string) => {
      const stream = new PassThrough();
      stream.write(`--${boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="a.jpg"\r\n\r\n`);
      stream.write(JPEG);
      const answer = h.app.inject({
        method: 'POST',
        url,
        remoteAddress: address,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: 'http://twofold.test' },
        cookies: FORM_COOKIE,
        payload: stream,
      });
      return { stream, answer };
    };
    const endless = (url: string, address: string) =>
      h.app.inject({
        method: 'POST',
        url,
        remoteAddress: address,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: 'http://twofold.test' },
        cookies: FORM_COOKIE,
        payload: new PassThrough(), // never ends: only an answer before reading can come back
      });
    // One address holds one slot: its second upload waits, on the API as in the console.
    const first = stalledUpload('/api/v1/recovery-tickets', '198.51.100.71');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sameAddress = await endless('/recovery/ticket', '198.51.100.71');
    expect(sameAddress.statusCode).toBe(503);
    expect(sameAddress.headers['retry-after']).toBeDefined();
    expect(sameAddress.body).toContain('as many uploads as it takes at once'); // a console page, not a 500
    // The console and the API fill the same slots.
    const second = stalledUpload('/api/v1/recovery-tickets', '198.51.100.72');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await endless('/api/v1/recovery-tickets', '198.51.100.73');
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('service.unavailable');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await endless('/recovery/ticket', '198.51.100.74')).statusCode).toBe(503);
    for (const upload of [first, second]) upload.stream.end(`\r\n--${boundary}--\r\n`);
    for (const upload of [first, second]) expect((await upload.answer).statusCode).toBeLessThan(500);
    // The slots are free again.
    const after = await postMultipart(h, '/api/v1/recovery-tickets', multipart({}, []));
    expect(after.status).toBe(400);
  });

  it('a form with a wrong code is refused before any of its files is read (the text comes first)', async () => {
    op.token = (await op.relogin()).token;
    const owner = await verifiedOwner(h, op);
    const { id, code } = await recoveryCode(h, owner.email);
    const wrong = code === '123456' ? '654321' : '123456';
    const boundary = 'precheckB';
    const stream = new PassThrough();
    for (const [name, value] of Object.entries(ticketFields(owner.email, id, wrong)))
      stream.write(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    // A file whose body never ends: only an answer given before reading it can come back.
    stream.write(`--${boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="a.jpg"\r\n\r\n`);
    stream.write(JPEG);
    const answer = await h.app.inject({
      method: 'POST',
      url: '/api/v1/recovery-tickets',
      remoteAddress: '198.51.100.90',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: stream,
    });
    stream.destroy();
    expect(answer.statusCode).toBe(401);
    expect(answer.json().error.code).toBe('verification.invalid_code');
    // The right code still works (the refusal spent one of its five tries, not the code).
    const ok = await postMultipart(
      h,
      '/api/v1/recovery-tickets',
      multipart(ticketFields(owner.email, id, code!), [{ name: 'id.jpg', type: 'image/jpeg', bytes: JPEG }]),
    );
    expect(ok.status).toBe(201);
  });

  it('the gate gives a slot back once, and frees an address for its next upload', () => {
    const gate = createUploadGate({ total: 2, perAddress: 1, idleMs: 1, deadlineMs: 1 });
    const a = gate.acquire('a')!;
    expect(gate.acquire('a')).toBeNull();
    const b = gate.acquire('b')!;
    expect(gate.acquire('c')).toBeNull();
    a();
    a(); // twice: still one slot back
    expect(gate.acquire('c')).not.toBeNull();
    expect(gate.acquire('a')).toBeNull();
    b();
    expect(gate.acquire('a')).not.toBeNull();
  });
});

describe('an address that used up its ticket submissions is refused before its body is read', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { config: { codeSendsPerAddressHour: 2 } });
  });
  afterAll(async () => h.close());

  it('refused uploads count, and the third gets 429 without its (endless) body being read', async () => {
    const from = { remoteAddress: '203.0.113.99' };
    for (let i = 0; i < 2; i++) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/recovery-tickets',
        ...from,
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
        payload: 'garbage',
      });
      expect(res.statusCode).toBe(400);
    }
    const endless = new PassThrough();
    endless.write('--b\r\nContent-Disposition: form-data; name="evidence"; filename="a.jpg"\r\n\r\n');
    const refused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/recovery-tickets',
      ...from,
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      payload: endless,
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('verification.too_many_requests');
    endless.destroy();
    // The console's form from that address: the same refusal, as a page.
    const page = await h.app.inject({
      method: 'POST',
      url: '/recovery/ticket',
      ...from,
      headers: { 'content-type': 'multipart/form-data; boundary=b', origin: 'http://twofold.test' },
      cookies: FORM_COOKIE,
      payload: 'garbage',
    });
    expect(page.statusCode).toBe(429);
    // JSON tickets count too.
    const json = await h.app.inject({
      method: 'POST',
      url: '/api/v1/recovery-tickets',
      ...from,
      headers: { 'content-type': 'application/json' },
      payload: { login: 'x' },
    });
    expect(json.statusCode).toBe(429);
  });
});
