import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginFull,
  passwordStep,
  postFrom,
  primaryAccount,
  signupAndLogin,
  userWithDevice,
  type Harness,
} from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';
import {
  JPEG,
  PDF,
  multipart,
  operator,
  personalFacts,
  postMultipart,
  recoveryCode,
  ticketBody,
  ticketFields,
  verifiedOwner,
  dumpDatabase,
} from './helpers/recovery.js';
import { formatDateTime } from '../src/i18n/format.js';

const HOUR = 3600_000;

describe.each(databaseKinds())('lost-device recovery on %s', (kind) => {
  let h: Harness;
  let opA: Awaited<ReturnType<typeof operator>>;
  let opB: Awaited<ReturnType<typeof operator>>;
  beforeAll(async () => {
    h = await createHarness(kind);
    opA = await operator(h);
    opB = await operator(h);
  });
  afterAll(async () => h.close());
  beforeEach(async () => fresh());

  /** Operators' sessions are re-proved before each use: tests move the clock by hours. */
  async function fresh() {
    opA.token = (await opA.relogin()).token;
    opB.token = (await opB.relogin()).token;
  }

  async function openTicket(owner: { email: string }, files = [{ name: 'id.jpg', type: 'image/jpeg', bytes: JPEG }]) {
    const { id, code } = await recoveryCode(h, owner.email);
    const res = await postMultipart(
      h,
      '/api/v1/recovery-tickets',
      multipart(ticketFields(owner.email, id, code!), files),
    );
    if (res.status !== 201) throw new Error(`ticket: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { ticket: { id: string; status: string }; statusToken: string };
  }

  const approve = (token: string, id: string) =>
    call(h.app, 'POST', `/api/v1/support/recovery-tickets/${id}/approve`, {
      token,
      body: { note: 'evidence matches' },
    });

  /** The cancel link in the newest mail of `kind` to `to` (read before delivery empties it). */
  async function cancelLink(to: string, kind: string) {
    const mail = (await h.services.outbox(to)).find((m) => m.kind === kind);
    if (!mail) return null;
    const url = new URL(/(https?:\/\/\S+\/recovery\/cancel\S+)/.exec(mail.text)![1]!);
    return { ticket: url.searchParams.get('ticket')!, token: url.searchParams.get('token')! };
  }

  async function auditTypes(userId: string) {
    const rows = await h.database.db
      .selectFrom('audit_events')
      .select(['type', 'details'])
      .where('user_id', '=', userId)
      .execute();
    return rows;
  }

  describe('real-name records', () => {
    it('a primary account submits one (step-up); sub-users cannot; operators see the last 4 digits only and verify it', async () => {
      await fresh();
      const owner = await primaryAccount(h);
      const sub = await createSubUser(h, owner.token, owner.alias);
      const subLogin = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: sub.login, password: PASSWORD },
      });
      const bySub = await call(h.app, 'PUT', '/api/v1/me/real-name', {
        token: subLogin.body.session.token,
        body: personalFacts,
      });
      expect(bySub.status).toBe(403);
      expect(bySub.body.error.code).toBe('auth.forbidden');
      expect((await call(h.app, 'GET', '/api/v1/me/real-name', { token: owner.token })).body.realName.status).toBe(
        'none',
      );
      const bad = await call(h.app, 'PUT', '/api/v1/me/real-name', {
        token: owner.token,
        body: { type: 'enterprise', name: 'Li Lei', idNumber: '1234', phone: '+8613800138000' },
      });
      expect(bad.status).toBe(400);
      const put = await call(h.app, 'PUT', '/api/v1/me/real-name', { token: owner.token, body: personalFacts });
      expect(put.status).toBe(200);
      expect(put.body.realName).toMatchObject({
        type: 'personal',
        status: 'pending',
        name: 'Li Lei',
        idNumberLast4: '002X',
      });
      expect(JSON.stringify(put.body)).not.toContain(personalFacts.idNumber);
      // After the step-up window, submitting again needs a fresh verification.
      h.clock.advance(6 * 60_000);
      const stale = await call(h.app, 'PUT', '/api/v1/me/real-name', { token: owner.token, body: personalFacts });
      expect(stale.status).toBe(401);
      expect(stale.body.error.code).toBe('auth.step_up_required');
      await fresh();

      // Only operators see the queue.
      expect((await call(h.app, 'GET', '/api/v1/support/real-names', { token: owner.token })).status).toBe(403);
      const queue = await call(h.app, 'GET', '/api/v1/support/real-names?status=pending', { token: opA.token });
      expect(queue.status).toBe(200);
      const row = queue.body.realNames.find((r: { accountId: string }) => r.accountId === owner.accountId);
      expect(row).toMatchObject({ status: 'pending', idNumberLast4: '002X', login: owner.email });
      expect(JSON.stringify(queue.body)).not.toContain(personalFacts.idNumber);
      expect(
        (
          await call(h.app, 'POST', `/api/v1/support/real-names/${owner.accountId}/verify`, {
            token: owner.token,
            body: {},
          })
        ).status,
      ).toBe(403);
      const verified = await call(h.app, 'POST', `/api/v1/support/real-names/${owner.accountId}/verify`, {
        token: opA.token,
        body: { note: 'checked' },
      });
      expect(verified.status).toBe(200);
      expect(verified.body.realName.status).toBe('verified');
      const again = await call(h.app, 'POST', `/api/v1/support/real-names/${owner.accountId}/reject`, {
        token: opB.token,
        body: {},
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('realname.not_pending');
      expect((await h.services.outbox(owner.email)).some((m) => m.kind === 'realname.reviewed')).toBe(true);
      // An operator never reviews their own account's record.
      const own = await call(h.app, 'PUT', '/api/v1/me/real-name', { token: opA.token, body: personalFacts });
      expect(own.status).toBe(200);
      const self = await call(h.app, 'POST', `/api/v1/support/real-names/${opA.accountId}/verify`, {
        token: opA.token,
        body: {},
      });
      expect(self.status).toBe(403);
      // The ID number is nowhere in the clear.
      const rows = await h.database.db.selectFrom('real_names').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(personalFacts.idNumber);
    });
  });

  describe('asking for a ticket code', () => {
    it('answers the same for a primary account, an unknown login and a sub-user; only the primary account gets a code', async () => {
      const owner = await primaryAccount(h);
      const sub = await createSubUser(h, owner.token, owner.alias, { email: uniqueSubEmail() });
      const answers = await Promise.all(
        [owner.email, 'nobody-at-all@example.com', sub.login].map((login) =>
          call(h.app, 'POST', '/api/v1/recovery/verifications', { body: { login } }),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(202);
        expect(Object.keys(answer.body.verification).sort()).toEqual(['expiresAt', 'id']);
      }
      await h.services.recoveryTickets.settled();
      expect((await h.services.outbox(owner.email)).filter((m) => m.kind === 'recovery.code')).toHaveLength(1);
      expect(await h.services.outbox('nobody-at-all@example.com')).toHaveLength(0);
      const subMail = await h.services.outbox(subEmails.at(-1)!);
      expect(subMail.map((m) => m.kind)).toEqual(['recovery.sub_user']);
      expect(subMail[0]!.text).toMatch(/primary account/);
      expect(subMail[0]!.text).not.toMatch(/\b\d{6}\b/);
    });

    it('a sixth request for one login within an hour is refused with Retry-After, known login or not', async () => {
      for (const login of ['ghost-recovery@example.com', (await signupAndLogin(h)).email]) {
        for (let i = 0; i < 5; i++) {
          expect((await call(h.app, 'POST', '/api/v1/recovery/verifications', { body: { login } })).status).toBe(202);
          h.clock.advance(61_000); // one a minute
        }
        const sixth = await call(h.app, 'POST', '/api/v1/recovery/verifications', { body: { login } });
        expect(sixth.status).toBe(429);
        expect(sixth.body.error.code).toBe('verification.too_many_requests');
        expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
      }
    });

    it("a stranger who knows the login cannot block the owner's lost-device path (NIST SP 800-63B §5.2.2)", async () => {
      await fresh();
      const owner = await verifiedOwner(h, opA);
      const from = (address: string, url: string, payload: object) => postFrom(h, address, url, payload);
      // The owner asks first and holds a code …
      const ownerAsk = await from('198.51.100.1', '/api/v1/recovery/verifications', { login: owner.email });
      expect(ownerAsk.statusCode).toBe(202);
      await h.services.recoveryTickets.settled();
      const ownerMail = (await h.services.outbox(owner.email)).find((m) => m.kind === 'recovery.code')!;
      const ownerCode = / is (\d{6})\./.exec(ownerMail.text)![1]!;
      // … then a stranger spends every code request and wrong-code try of its own address.
      const strangerAsks = [];
      for (let i = 0; i < 6; i++) {
        h.clock.advance(61_000); // one a minute
        strangerAsks.push(
          (await from('203.0.113.66', '/api/v1/recovery/verifications', { login: owner.email })).statusCode,
        );
      }
      expect(strangerAsks).toEqual([202, 202, 202, 202, 202, 429]);
      const strangerId = (
        await from('203.0.113.66', '/api/v1/recovery/verifications', { login: 'x@example.com' })
      ).json().verification.id;
      const tries = [];
      for (let i = 0; i < 11; i++)
        tries.push(
          (
            await from(
              '203.0.113.66',
              '/api/v1/recovery-tickets',
              ticketBody(owner.email, strangerId, String(100000 + i)),
            )
          ).statusCode,
        );
      expect(tries.slice(0, 10).every((status) => status === 401)).toBe(true);
      expect(tries[10]).toBe(429);
      // The stranger's requests mailed codes too, yet the owner's own code still opens the ticket.
      const opened = await from(
        '198.51.100.1',
        '/api/v1/recovery-tickets',
        ticketBody(owner.email, ownerAsk.json().verification.id, ownerCode),
      );
      expect(opened.statusCode, opened.body).toBe(201);
    });

    it('the code serves only the ticket: a step-up refuses it, and a step-up code cannot open a ticket', async () => {
      // A primary account without a device verifies sensitive operations by e-mail code.
      const owner = await signupAndLogin(h);
      const { id, code } = await recoveryCode(h, owner.email);
      const asStepUp = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: owner.token,
        body: { method: 'email', verificationId: id, code },
      });
      expect(asStepUp.status).toBe(401);
      expect(asStepUp.body.error.code).toBe('verification.invalid_code');
      const stepUpCode = await call(h.app, 'POST', '/api/v1/me/verifications', {
        token: owner.token,
        body: { channel: 'email' },
      });
      expect(stepUpCode.status).toBe(202);
      const mail = (await h.services.outbox(owner.email)).find((m) => m.kind === 'verification.code')!;
      const other = / is (\d{6})\./.exec(mail.text)![1]!;
      const withStepUpCode = await call(h.app, 'POST', '/api/v1/recovery-tickets', {
        body: ticketBody(owner.email, stepUpCode.body.verification.id, other),
      });
      expect(withStepUpCode.status).toBe(401);
      expect(withStepUpCode.body.error.code).toBe('verification.invalid_code');
    });
  });

  describe('submitting a ticket', () => {
    it('refuses wrong, expired and reused codes, sub-users like a wrong code, and accounts without a verified record', async () => {
      await fresh();
      const owner = await verifiedOwner(h, opA);
      const { id, code } = await recoveryCode(h, owner.email);
      const wrong = await call(h.app, 'POST', '/api/v1/recovery-tickets', {
        body: ticketBody(owner.email, id, code === '000000' ? '000001' : '000000'),
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('verification.invalid_code');
      // A sub-user never got a code: the same answer as a wrong one.
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias);
      const bySub = await call(h.app, 'POST', '/api/v1/recovery-tickets', { body: ticketBody(sub.login, id, code!) });
      expect(bySub.status).toBe(401);
      expect(bySub.body.error.code).toBe('verification.invalid_code');
      // Without a verified record: refused only after a valid code, saying what to do.
      const unverified = await userWithDevice(h);
      const u = await recoveryCode(h, unverified.email);
      const noRecord = await call(h.app, 'POST', '/api/v1/recovery-tickets', {
        body: ticketBody(unverified.email, u.id, u.code!),
      });
      expect(noRecord.status).toBe(422);
      expect(noRecord.body.error.code).toBe('recovery.real_name_required');
      // JSON works too (no files); the code is single use.
      const ok = await call(h.app, 'POST', '/api/v1/recovery-tickets', { body: ticketBody(owner.email, id, code!) });
      expect(ok.status).toBe(201);
      expect(ok.body.ticket.status).toBe('submitted');
      expect(ok.headers['cache-control']).toBe('no-store');
      const reused = await call(h.app, 'POST', '/api/v1/recovery-tickets', {
        body: ticketBody(owner.email, id, code!),
      });
      expect(reused.status).toBe(401);
      // One open ticket per account.
      const second = await recoveryCode(h, owner.email);
      h.clock.advance(61_000);
      const next = await recoveryCode(h, owner.email);
      const dup = await call(h.app, 'POST', '/api/v1/recovery-tickets', {
        body: ticketBody(owner.email, next.id, next.code!),
      });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('recovery.ticket_open');
      expect(second.sent.status).toBe(202);
      // Expired: 10 minutes.
      await fresh();
      const late = await verifiedOwner(h, opA);
      const l = await recoveryCode(h, late.email);
      h.clock.advance(11 * 60_000);
      const expired = await call(h.app, 'POST', '/api/v1/recovery-tickets', {
        body: ticketBody(late.email, l.id, l.code!),
      });
      expect(expired.status).toBe(401);
    });

    it('checks files by their bytes: over 15 MB is 413, not JPEG/PNG/PDF is 415, more than 3 is 400; bytes never stored in the clear', async () => {
      await fresh();
      const owner = await verifiedOwner(h, opA);
      const { id, code } = await recoveryCode(h, owner.email);
      const fields = ticketFields(owner.email, id, code!);
      const big = Buffer.concat([JPEG, Buffer.alloc(15 * 1024 * 1024)]);
      const tooBig = await postMultipart(
        h,
        '/api/v1/recovery-tickets',
        multipart(fields, [{ name: 'big.jpg', type: 'image/jpeg', bytes: big }]),
      );
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.error.code).toBe('request.too_large');
      const fake = await postMultipart(
        h,
        '/api/v1/recovery-tickets',
        multipart(fields, [{ name: 'id.jpg', type: 'image/jpeg', bytes: Buffer.from('<html>not an image</html>') }]),
      );
      expect(fake.status).toBe(415);
      expect(fake.body.error.code).toBe('recovery.evidence_type');
      const four = await postMultipart(
        h,
        '/api/v1/recovery-tickets',
        multipart(
          fields,
          Array.from({ length: 4 }, (_, i) => ({ name: `p${i}.jpg`, type: 'image/jpeg', bytes: JPEG })),
        ),
      );
      expect(four.status).toBe(400);
      expect(four.body.error.code).toBe('validation.failed');
      // None of those spent the code: the form was refused before it was checked.
      const ok = await postMultipart(
        h,
        '/api/v1/recovery-tickets',
        multipart(fields, [
          { name: 'id.jpg', type: 'application/octet-stream', bytes: JPEG },
          { name: 'licence.pdf', type: 'application/pdf', bytes: PDF },
        ]),
      );
      expect(ok.status).toBe(201);
      // The database dump (every table; for SQLite the raw file and its WAL) holds neither in the clear.
      const dump = await dumpDatabase(h);
      expect(dump).toContain('002X');
      expect(dump).not.toContain('EVIDENCE-MARKER');
      expect(dump).not.toContain(personalFacts.idNumber);
      // Status: only with its own token.
      const status = await call(h.app, 'GET', `/api/v1/recovery-tickets/${ok.body.ticket.id}`, {
        token: ok.body.statusToken,
      });
      expect(status.status).toBe(200);
      expect(status.body.ticket).toMatchObject({ id: ok.body.ticket.id, status: 'submitted' });
      expect((await call(h.app, 'GET', `/api/v1/recovery-tickets/${ok.body.ticket.id}`)).status).toBe(401);
      const wrongToken = await call(h.app, 'GET', `/api/v1/recovery-tickets/${ok.body.ticket.id}`, {
        token: 'x'.repeat(43),
      });
      expect(wrongToken.status).toBe(404);
      expect(wrongToken.body.error.code).toBe('recovery.not_found');
      const otherId = await call(h.app, 'GET', '/api/v1/recovery-tickets/nonexistent', { token: ok.body.statusToken });
      expect(otherId.status).toBe(404);
    });

    it('ten wrong codes for one login lock ticket submission for a while, without touching the login or second factor', async () => {
      await fresh();
      const owner = await verifiedOwner(h, opA);
      const { id, code } = await recoveryCode(h, owner.email);
      const wrongCode = code === '999999' ? '999998' : '999999';
      let last;
      for (let i = 0; i < 11; i++)
        last = await call(h.app, 'POST', '/api/v1/recovery-tickets', { body: ticketBody(owner.email, id, wrongCode) });
      expect(last!.status).toBe(429);
      expect(last!.body.error.code).toBe('verification.too_many_requests');
      // The account still logs in with password and code.
      await loginFull(h, owner);
    });
  });

  describe('the support desk', () => {
    it('shows match flags, files (attachment, no-store, audited), and takes two different operators with fresh step-ups', async () => {
      await fresh();
      const owner = await verifiedOwner(h, opA);
      const { ticket } = await openTicket(owner);
      // Every address on record heard of it, with a cancel link.
      expect(await cancelLink(owner.email, 'recovery.submitted')).toMatchObject({ ticket: ticket.id });

      expect((await call(h.app, 'GET', '/api/v1/support/recovery-tickets', { token: owner.token })).status).toBe(403);
      const list = await call(h.app, 'GET', '/api/v1/support/recovery-tickets?status=submitted', { token: opA.token });
      const row = list.body.tickets.find((t: { id: string }) => t.id === ticket.id);
      expect(row).toMatchObject({ status: 'submitted', accountId: owner.accountId, approvals: [] });
      expect(row.evidenceMatches).toEqual({ name: true, idNumber: true, phone: true });
      const view = await call(h.app, 'GET', `/api/v1/support/recovery-tickets/${ticket.id}`, { token: opA.token });
      expect(view.status).toBe(200);
      expect(view.body.ticket.evidence).toEqual({
        type: 'personal',
        nameMatches: true,
        idNumberMatches: true,
        phoneMatches: true,
      });
      expect(view.body.ticket.realName.idNumberLast4).toBe('002X');
      expect(JSON.stringify(view.body)).not.toContain(personalFacts.idNumber);
      expect(view.body.ticket.recentEvents.map((e: { type: string }) => e.type)).toContain('recovery.ticket_submitted');
      const [file] = view.body.ticket.files;
      expect(file).toMatchObject({ name: 'id.jpg', type: 'image/jpeg', size: JPEG.length });
      const download = await h.app.inject({
        method: 'GET',
        url: `/api/v1/support/recovery-tickets/${ticket.id}/files/${file.id}`,
        headers: { authorization: `Bearer ${opA.token}` },
      });
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(JPEG)).toBe(true);
      expect(download.headers['content-disposition']).toBe(
        `attachment; filename="evidence-1.jpg"; filename*=UTF-8''evidence-1.jpg`,
      );
      expect(download.headers['cache-control']).toBe('no-store');
      expect(download.headers['x-content-type-options']).toBe('nosniff');
      const events = await auditTypes(owner.userId);
      expect(events.find((e) => e.type === 'recovery.evidence_viewed')?.details).toContain(file.id);
      expect(events.map((e) => e.type)).toContain('recovery.ticket_viewed');
      // The owner's own log names support as the one who looked; the owner's own events stay "self".
      const ownLog = await call(h.app, 'GET', '/api/v1/audit-events', { token: owner.token });
      const viewed = ownLog.body.events.find((e: { type: string }) => e.type === 'recovery.evidence_viewed');
      expect(viewed).toMatchObject({ actor: 'support', actorId: opA.userId, userId: owner.userId });
      const submitted = ownLog.body.events.find((e: { type: string }) => e.type === 'recovery.ticket_submitted');
      expect(submitted.actor).toBe('self');

      // Approvals need a fresh step-up.
      h.clock.advance(6 * 60_000);
      const stale = await approve(opA.token, ticket.id);
      expect(stale.status).toBe(401);
      expect(stale.body.error.code).toBe('auth.step_up_required');
      await fresh();
      const first = await approve(opA.token, ticket.id);
      expect(first.status).toBe(200);
      expect(first.body.ticket.status).toBe('awaiting_second_approval');
      const twice = await approve(opA.token, ticket.id);
      expect(twice.status).toBe(409);
      expect(twice.body.error.code).toBe('recovery.same_operator');
      const second = await approve(opB.token, ticket.id);
      expect(second.status).toBe(200);
      expect(second.body.ticket.status).toBe('cooling_off');
      expect(Date.parse(second.body.ticket.effectiveAt) - h.clock.now()).toBe(72 * HOUR);
      expect(second.body.ticket.approvals.map((a: { operatorId: string }) => a.operatorId).sort()).toEqual(
        [opA.userId, opB.userId].sort(),
      );
      expect(await cancelLink(owner.email, 'recovery.cooling_off')).toMatchObject({ ticket: ticket.id });
      const third = await approve(opA.token, ticket.id);
      expect(third.status).toBe(409);
      expect(third.body.error.code).toBe('recovery.not_open');
      // During the period the device still works and the owner's session is untouched.
      const me = await call(h.app, 'GET', '/api/v1/me', { token: owner.token });
      expect(me.status).toBe(200);
      expect(me.body.mfa.bound).toBe(true);
    });

    it('an operator cannot approve a ticket of their own account', async () => {
      await fresh();
      // opC is an operator with a verified record, whose phone is lost.
      const opC = await operator(h);
      await call(h.app, 'PUT', '/api/v1/me/real-name', { token: opC.token, body: personalFacts });
      expect(
        (
          await call(h.app, 'POST', `/api/v1/support/real-names/${opC.accountId}/verify`, {
            token: opA.token,
            body: {},
          })
        ).status,
      ).toBe(200);
      const { ticket } = await openTicket(opC);
      opC.token = (await opC.relogin()).token;
      // Logging in with the code cancelled it (the device is not lost): open another one, and stay logged in.
      const { ticket: again } = await openTicket(opC);
      expect(again.id).not.toBe(ticket.id);
      const own = await approve(opC.token, again.id);
      expect(own.status).toBe(403);
      expect(own.body.error.code).toBe('auth.forbidden');
      const reject = await call(h.app, 'POST', `/api/v1/support/recovery-tickets/${again.id}/reject`, {
        token: opC.token,
        body: { reason: 'my own' },
      });
      expect(reject.status).toBe(403);
    });

    it('rejection closes the ticket with the reason, tells the applicant, and cannot be approved afterwards', async () => {
      await fresh();
      const owner = await verifiedOwner(h, opA);
      const { ticket } = await openTicket(owner);
      const rejected = await call(h.app, 'POST', `/api/v1/support/recovery-tickets/${ticket.id}/reject`, {
        token: opB.token,
        body: { reason: 'The ID photo is unreadable.' },
      });
      expect(rejected.status).toBe(200);
      expect(rejected.body.ticket).toMatchObject({ status: 'rejected', closeReason: 'The ID photo is unreadable.' });
      const mail = (await h.services.outbox(owner.email)).find((m) => m.kind === 'recovery.rejected');
      expect(mail?.text).toContain('The ID photo is unreadable.');
      expect((await approve(opA.token, ticket.id)).body.error.code).toBe('recovery.not_open');
    });
  });

  describe('refusals of the support desk', () => {
    it('answers unknown records, tickets and files with 404, a second decision with 409, a bad filter with 400', async () => {
      const noRecord = await call(h.app, 'POST', '/api/v1/support/real-names/no-such-account/verify', {
        token: opA.token,
        body: {},
      });
      expect(noRecord.status).toBe(404);
      expect(noRecord.body.error.code).toBe('realname.not_found');
      const noTicket = await approve(opA.token, 'no-such-ticket');
      expect(noTicket.status).toBe(404);
      expect(noTicket.body.error.code).toBe('recovery.not_found');
      const owner = await verifiedOwner(h, opA);
      const { ticket } = await openTicket(owner);
      const noFile = await call(h.app, 'GET', `/api/v1/support/recovery-tickets/${ticket.id}/files/nope`, {
        token: opA.token,
      });
      expect(noFile.status).toBe(404);
      const reject = (token: string) =>
        call(h.app, 'POST', `/api/v1/support/recovery-tickets/${ticket.id}/reject`, {
          token,
          body: { reason: 'not enough' },
        });
      expect((await reject(opA.token)).status).toBe(200);
      const again = await reject(opB.token);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('recovery.not_open');
      const filter = await call(h.app, 'GET', '/api/v1/support/recovery-tickets?status=bogus', { token: opA.token });
      expect(filter.status).toBe(400);
      expect(filter.body.error.code).toBe('validation.failed');
      // A file in a part not named `evidence` is refused before anything is checked.
      const { id, code } = await recoveryCode(h, owner.email);
      const boundary = 'xx';
      const payload = Buffer.concat([
        Buffer.from(
          Object.entries(ticketFields(owner.email, id, code!))
            .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
            .join(''),
        ),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n`),
        JPEG,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const stray = await postMultipart(h, '/api/v1/recovery-tickets', {
        payload,
        contentType: `multipart/form-data; boundary=${boundary}`,
      });
      expect(stray.status).toBe(400);
      expect(stray.body.error.code).toBe('validation.failed');
      // Not multipart and not JSON: 415 as everywhere in the API.
      const text = await h.app.inject({
        method: 'POST',
        url: '/api/v1/recovery-tickets',
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expect(text.statusCode).toBe(415);
    });
  });

  describe('cancelling and taking effect', () => {
    async function coolingOff(owner: { email: string }) {
      await fresh();
      const { ticket, statusToken } = await openTicket(owner);
      expect((await approve(opA.token, ticket.id)).status).toBe(200);
      expect((await approve(opB.token, ticket.id)).body.ticket.status).toBe('cooling_off');
      return { ticket, statusToken };
    }

    it('the cancel link cancels once, without a session; a GET changes nothing', async () => {
      await fresh();
      const owner = await verifiedOwner(h, opA);
      const { ticket, statusToken } = await coolingOff(owner);
      const link = (await cancelLink(owner.email, 'recovery.cooling_off'))!;
      const wrong = await call(h.app, 'POST', `/api/v1/recovery-tickets/${ticket.id}/cancel`, {
        body: { token: 'nope' },
      });
      expect(wrong.status).toBe(404);
      const cancelled = await call(h.app, 'POST', `/api/v1/recovery-tickets/${ticket.id}/cancel`, {
        body: { token: link.token },
      });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.ticket.status).toBe('cancelled');
      const again = await call(h.app, 'POST', `/api/v1/recovery-tickets/${ticket.id}/cancel`, {
        body: { token: link.token },
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('recovery.not_cancellable');
      const status = await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticket.id}`, { token: statusToken });
      expect(status.body.ticket.status).toBe('cancelled');
      // The period passing changes nothing now.
      h.clock.advance(73 * HOUR);
      await h.services.recoveryScheduler.runOnce();
      expect(
        (await call(h.app, 'GET', '/api/v1/me', { token: (await loginFull(h, owner)).token })).body.mfa.bound,
      ).toBe(true);
    });

    it('a login with the dynamic code during the period cancels the ticket, and every address hears of it', async () => {
      const owner = await verifiedOwner(h, opA);
      const { ticket, statusToken } = await coolingOff(owner);
      await loginFull(h, owner);
      const status = await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticket.id}`, { token: statusToken });
      expect(status.body.ticket.status).toBe('cancelled');
      expect((await h.services.outbox(owner.email)).some((m) => m.kind === 'recovery.cancelled')).toBe(true);
      const events = await auditTypes(owner.userId);
      expect(events.find((e) => e.type === 'recovery.ticket_cancelled')?.details).toContain('owner_activity');
    });

    it('changing the email during the period cancels the ticket; a ticket right after a contact change is refused', async () => {
      const owner = await verifiedOwner(h, opA);
      const { ticket, statusToken } = await coolingOff(owner);
      // The owner's session from binding is still within its step-up window.
      const newEmail = uniqueSubEmail();
      const changed = await call(h.app, 'PATCH', '/api/v1/me', { token: owner.token, body: { email: newEmail } });
      expect(changed.status).toBe(200);
      const status = await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticket.id}`, { token: statusToken });
      expect(status.body.ticket.status).toBe('cancelled');
      const events = await auditTypes(owner.userId);
      expect(events.find((e) => e.type === 'recovery.ticket_cancelled')?.details).toContain('contact_change');
      // Within 7 days of the change no new ticket is taken (the channel-swap attack).
      const next = await recoveryCode(h, newEmail);
      const refused = await call(h.app, 'POST', '/api/v1/recovery-tickets', {
        body: ticketBody(newEmail, next.id, next.code!),
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('recovery.recent_contact_change');
    });

    it('when the period ends: every device and the recovery codes gone, every session ended, next login binds; exactly once', async () => {
      const verified = await verifiedOwner(h, opA);
      // A second authenticator app: both are on the lost phone, both go.
      const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
        token: verified.token,
        body: { type: 'totp', name: 'Same phone, other app' },
      });
      const secret = referenceBase32Decode(started.body.enrollment.secret);
      const activated = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
        token: verified.token,
        body: {
          enrollmentId: started.body.enrollment.id,
          codes: [referenceTotp(secret, h.clock.now(), -1), referenceTotp(secret, h.clock.now())],
        },
      });
      expect(activated.status).toBe(200);
      const owner = { ...verified, token: activated.body.session.token as string };
      const { ticket, statusToken } = await coolingOff(owner);
      h.clock.advance(72 * HOUR + 1000);
      const [a, b] = await Promise.all([
        h.services.recoveryScheduler.runOnce(),
        h.services.recoveryScheduler.runOnce(),
      ]);
      expect(a + b).toBeGreaterThanOrEqual(1);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: owner.token })).status).toBe(401);
      const status = await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticket.id}`, { token: statusToken });
      expect(status.body.ticket.status).toBe('completed');
      const login = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: owner.email, password: PASSWORD } });
      expect(login.body.status).toBe('mfa_enrollment_required');
      expect(login.body.session.restricted).toBe(true);
      const events = await auditTypes(owner.userId);
      expect(events.filter((e) => e.type === 'recovery.ticket_effective')).toHaveLength(1);
      const unbound = events.filter((e) => e.type === 'mfa.unbound');
      expect(unbound).toHaveLength(1);
      expect(unbound[0]!.details).toContain('"by":"recovery"');
      const codes = await h.database.db
        .selectFrom('recovery_codes')
        .select('id')
        .where('user_id', '=', owner.userId)
        .where('revoked_at', 'is', null)
        .where('used_at', 'is', null)
        .execute();
      expect(codes).toHaveLength(0);
      const devices = await h.database.db
        .selectFrom('mfa_devices')
        .select('id')
        .where('user_id', '=', owner.userId)
        .where('status', '=', 'active')
        .execute();
      expect(devices).toHaveLength(0);
      const mails = await h.services.outbox(owner.email);
      expect(mails.some((m) => m.kind === 'recovery.completed')).toBe(true);
      // No second effect on a later pass.
      expect(await h.services.recoveryScheduler.runOnce()).toBe(0);
    });

    it('a day before the effect every address gets one reminder with a cancel link that works; a cancelled ticket gets none', async () => {
      const owner = await verifiedOwner(h, opA);
      const { ticket, statusToken } = await coolingOff(owner);
      const reminders = async () =>
        (await h.services.outbox(owner.email)).filter((m) => m.kind === 'recovery.reminder');
      // Two days and more before the effect: nothing yet.
      h.clock.advance(47 * HOUR);
      await h.services.recoveryScheduler.runOnce();
      expect(await reminders()).toHaveLength(0);
      // Just under 24 h before: one reminder, naming the time; later passes send no second one.
      h.clock.advance(HOUR + 1000);
      await h.services.recoveryScheduler.runOnce();
      await h.services.recoveryScheduler.runOnce();
      const sent = await reminders();
      expect(sent).toHaveLength(1);
      expect(sent[0]!.subject).toMatch(/within 24 hours/);
      const effective = (await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticket.id}`, { token: statusToken })).body
        .ticket.effectiveAt as string;
      // In the owner's language and the configured zone (UTC here), the zone named.
      expect(sent[0]!.text).toContain(formatDateTime('en', 'UTC', effective));
      h.clock.advance(12 * HOUR);
      await h.services.recoveryScheduler.runOnce();
      expect(await reminders()).toHaveLength(1);
      // Its link cancels the ticket, so the period ending changes nothing.
      const link = (await cancelLink(owner.email, 'recovery.reminder'))!;
      expect(link.ticket).toBe(ticket.id);
      const cancelled = await call(h.app, 'POST', `/api/v1/recovery-tickets/${ticket.id}/cancel`, {
        body: { token: link.token },
      });
      expect(cancelled.body.ticket.status).toBe('cancelled');
      h.clock.advance(13 * HOUR);
      expect(await h.services.recoveryScheduler.runOnce()).toBe(0);

      // A ticket cancelled before its last day is never reminded.
      await fresh();
      const other = await verifiedOwner(h, opA);
      const second = await coolingOff(other);
      await call(h.app, 'POST', `/api/v1/recovery-tickets/${second.ticket.id}/cancel`, {
        body: { token: (await cancelLink(other.email, 'recovery.cooling_off'))!.token },
      });
      h.clock.advance(50 * HOUR);
      await h.services.recoveryScheduler.runOnce();
      expect((await h.services.outbox(other.email)).some((m) => m.kind === 'recovery.reminder')).toBe(false);
    });

    it('a due ticket takes effect at the next login even before the scheduler runs', async () => {
      const owner = await verifiedOwner(h, opA);
      await coolingOff(owner);
      h.clock.advance(72 * HOUR + 1000);
      const challenge = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: owner.email, password: PASSWORD },
      });
      expect(challenge.body.status).toBe('mfa_enrollment_required');
      expect((await auditTypes(owner.userId)).filter((e) => e.type === 'recovery.ticket_effective')).toHaveLength(1);
    });

    it('evidence is deleted 30 days after the ticket closes; the ticket and its audit events stay', async () => {
      const owner = await verifiedOwner(h, opA);
      const { ticket } = await openTicket(owner);
      await call(h.app, 'POST', `/api/v1/support/recovery-tickets/${ticket.id}/reject`, {
        token: opA.token,
        body: { reason: 'not enough evidence' },
      });
      const files = () =>
        h.database.db.selectFrom('recovery_evidence').select('id').where('ticket_id', '=', ticket.id).execute();
      await h.services.housekeeping.runOnce();
      expect(await files()).toHaveLength(1);
      h.clock.advance(31 * 24 * HOUR);
      const counts = await h.services.housekeeping.runOnce();
      expect(counts.recoveryEvidence).toBeGreaterThanOrEqual(1);
      expect(await files()).toHaveLength(0);
      expect(
        await h.database.db.selectFrom('recovery_tickets').select('id').where('id', '=', ticket.id).execute(),
      ).toHaveLength(1);
      expect((await auditTypes(owner.userId)).map((e) => e.type)).toContain('recovery.ticket_submitted');
    });
  });

  it('a removed operator loses /support at once; the audit log keeps their past actions as support', async () => {
    const op = await operator(h);
    const owner = await verifiedOwner(h, op);
    const before = await call(h.app, 'GET', '/api/v1/audit-events', { token: owner.token });
    const review = before.body.events.find((e: { type: string }) => e.type === 'realname.verified');
    expect(review).toMatchObject({ actor: 'support', actorId: op.userId });
    expect((await h.services.operator.listOperators()).map((o) => o.email)).toContain(op.email);

    await h.services.operator.removeOperator(op.email);
    expect((await h.services.operator.listOperators()).map((o) => o.email)).not.toContain(op.email);
    // Their session ended with the role; a new one is an ordinary account's, refused at /support.
    const queue = await call(h.app, 'GET', '/api/v1/support/recovery-tickets', { token: op.token });
    expect(queue.status).toBe(401);
    const again = await op.relogin();
    expect((await call(h.app, 'GET', '/api/v1/support/recovery-tickets', { token: again.token })).status).toBe(403);
    // The owner's log still names support as the one who reviewed the record.
    const after = await call(h.app, 'GET', '/api/v1/audit-events', { token: owner.token });
    expect(after.body.events.find((e: { type: string }) => e.type === 'realname.verified')).toMatchObject({
      actor: 'support',
      actorId: op.userId,
    });
    // Removing someone who is not an operator says so.
    await expect(h.services.operator.removeOperator(owner.email)).rejects.toMatchObject({ code: 'auth.forbidden' });
  });

  it('keeps the account state alone when the challenge is merely pending (sanity: password step still works)', async () => {
    const owner = await userWithDevice(h);
    const challengeId = await passwordStep(h, owner.email);
    h.clock.nextStep();
    const done = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId, code: referenceTotp(owner.secret, h.clock.now()) },
    });
    expect(done.status).toBe(201);
  });
});

const subEmails: string[] = [];
function uniqueSubEmail() {
  const email = `sub-${Math.random().toString(36).slice(2)}@example.com`;
  subEmails.push(email);
  return email;
}
