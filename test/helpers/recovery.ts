import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { PASSWORD, bindDevice, call, loginFull, uniqueEmail, userWithDevice, type Harness } from './harness.js';

/** The smallest files of each accepted kind, by their first bytes (plus a marker to look for in dumps). */
export const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  Buffer.from('EVIDENCE-MARKER-JPEG photo of ID'),
]);
export const PDF = Buffer.from('%PDF-1.4\nEVIDENCE-MARKER-PDF business licence\n%%EOF');

export const personalFacts = {
  type: 'personal',
  name: 'Li Lei',
  idNumber: '11010519491231002X',
  phone: '+8613800138000',
} as const;

/** A support operator as `twofold operator create` makes one, past its first login's binding, freshly stepped up. */
export async function operator(h: Harness) {
  const email = uniqueEmail('operator');
  const created = await h.services.accounts.createOperator({ email, password: PASSWORD });
  const first = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: email, password: PASSWORD } });
  if (first.body.status !== 'mfa_enrollment_required') throw new Error(`operator login: ${JSON.stringify(first.body)}`);
  const device = await bindDevice(h, first.body.session.token);
  const user = { email, secret: device.secret };
  const { token } = await loginFull(h, user);
  return { ...user, token, userId: created.user.id, accountId: created.account.id, relogin: () => loginFull(h, user) };
}

/** An owner with a bound device and a real-name record verified by `op`. */
export async function verifiedOwner(h: Harness, op: { token: string }, phone = personalFacts.phone) {
  const owner = await userWithDevice(h);
  const put = await call(h.app, 'PUT', '/api/v1/me/real-name', {
    token: owner.token,
    body: { ...personalFacts, phone },
  });
  if (put.status !== 200) throw new Error(`real-name: ${put.status} ${JSON.stringify(put.body)}`);
  const verified = await call(h.app, 'POST', `/api/v1/support/real-names/${owner.accountId}/verify`, {
    token: op.token,
    body: { note: 'ID photo checked' },
  });
  if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`);
  return owner;
}

/** Asks for a ticket code; returns the verification id and the code from the mail (null if none came). */
export async function recoveryCode(h: Harness, login: string, to = login) {
  // A login may ask for a code once a minute (from one address).
  h.clock.advance(61_000);
  // The mail this request queued: earlier ones may share its millisecond, so "newest" would not do.
  const before = new Set((await h.services.outbox(to)).map((m) => m.id));
  const sent = await call(h.app, 'POST', '/api/v1/recovery/verifications', { body: { login } });
  if (sent.status !== 202) throw new Error(`recovery code: ${sent.status} ${JSON.stringify(sent.body)}`);
  await h.services.recoveryTickets.settled();
  const mail = (await h.services.outbox(to)).find((m) => m.kind === 'recovery.code' && !before.has(m.id));
  return { id: sent.body.verification.id as string, code: mail ? / is (\d{6})\./.exec(mail.text)![1]! : null, sent };
}

/** A verified owner (by `op`) with an open ticket carrying one JPEG: its id and status token. */
export async function ownerWithTicket(h: Harness, op: { token: string }) {
  const owner = await verifiedOwner(h, op);
  const { id, code } = await recoveryCode(h, owner.email);
  const opened = await postMultipart(
    h,
    '/api/v1/recovery-tickets',
    multipart(ticketFields(owner.email, id, code!), [{ name: 'id.jpg', type: 'image/jpeg', bytes: JPEG }]),
  );
  if (opened.status !== 201) throw new Error(`ticket: ${opened.status} ${JSON.stringify(opened.body)}`);
  return { owner, ticketId: opened.body.ticket.id as string, statusToken: opened.body.statusToken as string };
}

export function ticketBody(login: string, verificationId: string, code: string, facts: object = personalFacts) {
  return {
    login,
    verificationId,
    code,
    title: 'Lost my phone',
    description: 'Phone stolen on the train.',
    evidence: facts,
  };
}

/** A multipart body as a browser builds it: text fields with bracket names, files named `evidence`. */
export function multipart(fields: Record<string, string>, files: { name: string; type: string; bytes: Buffer }[]) {
  const boundary = `----twofold${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
    );
    chunks.push(file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function ticketFields(
  login: string,
  verificationId: string,
  code: string,
  facts: Record<string, string> = personalFacts,
) {
  return {
    login,
    verificationId,
    code,
    title: 'Lost my phone',
    description: 'Phone stolen on the train.',
    ...Object.fromEntries(Object.entries(facts).map(([k, v]) => [`evidence[${k}]`, v])),
  };
}

export async function postMultipart(h: Harness, url: string, body: { payload: Buffer; contentType: string }) {
  const response = await h.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': body.contentType },
    payload: body.payload,
  });
  return { status: response.statusCode, body: response.json() as any };
}

/**
 * Everything the database holds, as text: every row of every table, and for SQLite the raw bytes
 * of the database file and its write-ahead log too (what a stolen backup would show).
 */
export async function dumpDatabase(h: Harness): Promise<string> {
  const db = h.database.db;
  const tables =
    h.kind === 'sqlite'
      ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db)).rows.map(
          (r) => r.name,
        )
      : (
          await sql<{
            name: string;
          }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${h.database.schema ?? 'public'}`.execute(
            db,
          )
        ).rows.map((r) => r.name);
  const parts: string[] = [];
  for (const table of tables)
    parts.push(JSON.stringify((await sql`SELECT * FROM ${sql.table(table)}`.execute(db)).rows));
  if (h.kind === 'sqlite') {
    const file = (await sql<{ file: string }>`SELECT file FROM pragma_database_list WHERE name = 'main'`.execute(db))
      .rows[0]!.file;
    for (const path of [file, `${file}-wal`]) if (existsSync(path)) parts.push(readFileSync(path).toString('latin1'));
  }
  return parts.join('\n');
}
