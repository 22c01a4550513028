/**
 * npm run bench — throughput and latency of the real server on this machine (not part of npm test).
 *
 * Seeds an embedded SQLite database (synchronous=FULL) with users, bound devices and pending
 * logins through the production repositories, starts `twofold serve` as a child process, and
 * loads it over loopback:
 *   1. GET /healthz                       — the HTTP ceiling
 *   2. argon2id hashes/s (in this process, server idle, just before and after the logins) — the password
 *      ceiling, on as many libuv threads as the server has (`npm run bench` preloads bin/threadpool.cjs)
 *   3. POST /sessions/mfa at 32 connections — MFA verify (each request a fresh pending login + valid
 *      code), after a 2 s warm-up on other pending logins
 *   4. full logins (password + code) at 12 in flight, and GET /me at 4 connections at the same time
 *   5. growth: verify and logins on 10k accounts, then on 100k accounts and 1M audit events (three
 *      verify loads), with the server's memory after each (BENCH_GROWTH=0 skips it, BENCH_ONLY=growth
 *      runs it alone)
 * The fixed-route loads (1, 3, GET /me) run in wrk (Debian's package) when it is installed, with
 * latencies in microseconds; autocannon (Node.js, whole milliseconds) stands in when wrk is missing
 * (or with BENCH_CLIENT=autocannon). Both measure MFA verify alike here (decision 013); the report
 * names the client and shows what the rest of the machine used beside the server.
 *   6. OpenID Connect single sign-on: an application's sign-ins (authorization + code exchange) for
 *      people already signed in, 8 in flight (bench/oidc.ts; BENCH_ONLY=oidc runs it alone)
 * BENCH_ONLY=verify or BENCH_ONLY=logins runs one phase (with CPU figures), for profiling.
 * Prints a table and writes .bench/last.json.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { hash } from '@node-rs/argon2';
import { openDatabase, migrateToLatest } from '../src/db/database.js';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { referenceTotp } from '../test/helpers/rfc6238.js';
import { memoryOf, refreshChallenges, seedAccounts, settle, type GrowthUser } from './growth.js';
import { oidcSignIns } from './oidc.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const PORT = 18000 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = 'bench password 1';
const LOGINS_IN_FLIGHT = Number(process.env.BENCH_LOGINS_IN_FLIGHT ?? 12);
/** libuv's pool size here and in the server (both set by bin/threadpool.cjs, or by the caller's UV_THREADPOOL_SIZE). */
const THREAD_POOL = process.env.UV_THREADPOOL_SIZE || '4';

/**
 * BENCH_DATABASE_URL=postgres://… runs every phase against PostgreSQL: the bench creates a database
 * of its own beside the one named (seeded the way SQLite is), points the server at it, reports the
 * PostgreSQL server's CPU per phase, and drops it afterwards.
 */
const PG_URL = process.env.BENCH_DATABASE_URL ?? null;
const DATABASE_LABEL = PG_URL ? 'PostgreSQL' : 'SQLite synchronous=FULL';

/** A database of the bench's own on the PostgreSQL server BENCH_DATABASE_URL names. */
async function createBenchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `twofold_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL! });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: PG_URL! });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

/** CPU seconds all PostgreSQL server processes on this machine have used, from /proc (0 without any). */
function postgresCpu(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

type SeededUser = GrowthUser;

/**
 * The bench's database, opened and migrated the way the server finds it (the same key seals the
 * devices), and the one real argon2id hash all its users share: 40k distinct hashes would take 10
 * minutes to seed.
 */
async function openBenchDatabase(dataDir: string, keyHex: string, pgUrl: string | null) {
  const database = openDatabase(
    pgUrl ? { kind: 'postgres', url: pgUrl } : { kind: 'sqlite', file: path.join(dataDir, 'twofold.db') },
  );
  await migrateToLatest(database.db);
  const key = Buffer.from(keyHex, 'hex');
  const box = createSecretBox([{ id: createHash('sha256').update(key).digest('hex').slice(0, 8), key }], randomBytes);
  const passwordHash = await hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  return { database, box, passwordHash };
}

async function seed(dataDir: string, keyHex: string, verifyUsers: number, loginUsers: number, pgUrl: string | null) {
  const { database, box, passwordHash } = await openBenchDatabase(dataDir, keyHex, pgUrl);
  const options = { withChallenge: 0, auditEvents: 0, passwordHash };
  const verify = await seedAccounts(database.db, box, {
    ...options,
    prefix: 'v',
    count: verifyUsers,
    withChallenge: verifyUsers,
  });
  const login = await seedAccounts(database.db, box, { ...options, prefix: 'l', count: loginUsers });
  await database.close();
  return { verify, login };
}

/** Starts the server as `npm start` does (bin/twofold.cjs sizes libuv's pool for the hashes). */
async function startServer(dataDir: string, keyHex: string, pgUrl: string | null): Promise<ChildProcess> {
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const child = spawn(process.execPath, [...profile, 'bin/twofold.cjs', 'serve'], {
    env: {
      ...process.env,
      TWOFOLD_DATA_DIR: dataDir,
      TWOFOLD_PORT: String(PORT),
      TWOFOLD_SECRET_KEY: keyHex,
      TWOFOLD_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      TWOFOLD_DEV: '0',
      ...(pgUrl ? { TWOFOLD_DATABASE_URL: pgUrl } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${BASE}/readyz`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('server did not start');
}

/** CPU seconds of each thread of a process, from /proc (the main thread's id is the pid). */
function threadCpu(pid: number): Map<number, number> {
  const result = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) result.set(Number(tid), readCpu(pid, Number(tid)));
  return result;
}

/** CPU seconds (user + system) a process has used, from /proc. */
function readCpu(pid: number, tid?: number, part: 'user' | 'system' | 'both' = 'both'): number {
  const fields = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8')
    .split(') ')[1]!
    .split(' ');
  return ((part === 'system' ? 0 : Number(fields[11])) + (part === 'user' ? 0 : Number(fields[12]))) / 100;
}

/** CPU seconds the whole machine has been busy (all cores; user, system, irq, steal), from /proc/stat. */
function readMachineBusy(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}

interface LoadResult {
  requestsPerSecond: number;
  /** Answers with a 2xx status, per second: what a load of fresh pending logins really verified. */
  okPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}
interface Load {
  path: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** POST bodies, one per request, each usable once; `bodiesAt(i, nowMs)` gives request i's body at that time. */
  bodies?: { count: number; bodiesAt: (index: number, nowMs: number) => string };
}

function wrkInstalled(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return typeof (error as { status?: number | null }).status === 'number'; // wrk --version exits 1 but runs; a missing wrk has no status
  }
}
const CLIENT = process.env.BENCH_CLIENT === 'autocannon' || !wrkInstalled() ? 'autocannon' : 'wrk';

async function load(spec: Load): Promise<LoadResult> {
  return CLIENT === 'wrk' ? wrkLoad(spec) : autocannonLoad(spec);
}

/** wrk with bench/wrk.lua; POST bodies go in a file, one line per request, a field per TOTP step of the phase. */
async function wrkLoad(spec: Load): Promise<LoadResult> {
  const args = ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '-s', path.join('bench', 'wrk.lua')];
  for (const [name, value] of Object.entries({
    ...spec.headers,
    ...(spec.bodies ? { 'content-type': 'application/json' } : {}),
  }))
    args.push('-H', `${name}: ${value}`);
  args.push(`${BASE}${spec.path}`);
  let bodiesDir: string | null = null;
  if (spec.bodies) {
    const start = Date.now();
    const firstStep = Math.floor(start / 30_000);
    const steps = Math.ceil((start + (spec.seconds + 2) * 1000) / 30_000) - firstStep + 1;
    bodiesDir = mkdtempSync(path.join(tmpdir(), 'twofold-wrk-'));
    const file = path.join(bodiesDir, 'bodies.txt');
    const lines: string[] = [];
    for (let i = 0; i < spec.bodies.count; i++) {
      lines.push(
        Array.from({ length: steps }, (_, k) => spec.bodies!.bodiesAt(i, (firstStep + k) * 30_000 + 15_000)).join('\t'),
      );
    }
    writeFileSync(file, lines.join('\n') + '\n');
    args.push('--', file, String(firstStep));
  }
  const output = await new Promise<string>((resolve, reject) => {
    execFile('wrk', args, { maxBuffer: 1 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  }).finally(() => {
    if (bodiesDir) rmSync(bodiesDir, { recursive: true, force: true });
  });
  const line = output.split('\n').find((l) => l.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const r = JSON.parse(line.slice('WRK_RESULT '.length)) as {
    requests: number;
    durationUs: number;
    non2xx: number;
    errors: number;
    p50Us: number;
    p99Us: number;
  };
  return {
    requestsPerSecond: r.requests / (r.durationUs / 1e6),
    okPerSecond: (r.requests - r.non2xx - r.errors) / (r.durationUs / 1e6),
    p50: r.p50Us / 1000,
    p99: r.p99Us / 1000,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function autocannonLoad(spec: Load): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: `${BASE}${spec.path}`,
    connections: spec.connections,
    duration: spec.seconds,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(spec.bodies
      ? {
          requests: [
            {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              setupRequest: (request) => ({
                ...request,
                body: spec.bodies!.bodiesAt(Math.min(next++, spec.bodies!.count - 1), Date.now()),
              }),
            },
          ],
        }
      : {}),
  });
  return {
    requestsPerSecond: result.requests.average,
    okPerSecond: result['2xx'] / spec.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function argon2HashesPerSecond(seconds: number, inFlight: number) {
  let done = 0;
  const stop = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < stop) {
        await hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
        done++;
      }
    }),
  );
  return done / seconds;
}

/**
 * The logins' load client: one keep-alive HTTP/1.1 connection per login in flight, each request
 * written as one piece of text and each answer read only as far as the bench needs (status line,
 * Content-Length, JSON body). wrk cannot chain a login's two requests, and Node's http client cost
 * ~700 µs of CPU per request here beside four argon2id hashes (`fetch` more): CPU the hashing
 * threads, which the logins are measured against, did not get.
 */
class BenchConnection {
  private readonly socket: net.Socket;
  private received: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (answer: { status: number; json: any }) => void; reject: (error: Error) => void } | null =
    null;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (error) => this.settle()?.reject(error));
    this.socket.on('close', () => this.settle()?.reject(new Error('connection closed')));
  }

  post(pathname: string, body: unknown): Promise<{ status: number; json: any }> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(
        `POST ${pathname} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
      );
    });
  }

  close() {
    this.waiting = null;
    this.socket.destroy();
  }

  private settle() {
    const waiting = this.waiting;
    this.waiting = null;
    return waiting;
  }

  private read(chunk: Buffer) {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    const headEnd = this.received.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.received.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) {
      this.settle()?.reject(new Error(`answer without content-length: ${head}`));
      return;
    }
    const end = headEnd + 4 + Number(length[1]);
    if (this.received.length < end) return;
    const text = this.received.toString('utf8', headEnd + 4, end);
    this.received = this.received.subarray(end);
    this.settle()?.resolve({ status: Number(head.slice(9, 12)), json: text ? JSON.parse(text) : null });
  }
}

/**
 * MFA verify of every user's pending login, `connections` at a time on raw keep-alive connections
 * (the logins' client), timed from the first request to the last answer: a round of a fixed set of
 * requests, which wrk cannot end early (it always runs its whole duration).
 */
async function verifyAll(users: SeededUser[], connections: number) {
  let next = 0;
  let ok = 0;
  let non2xx = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const connection = new BenchConnection(PORT);
      try {
        while (next < users.length) {
          const user = users[next++]!;
          const sent = performance.now();
          const answer = await connection.post('/api/v1/sessions/mfa', {
            challengeId: user.challengeId,
            code: referenceTotp(user.secret, Date.now()),
          });
          latencies.push(performance.now() - sent);
          if (answer.status === 201) ok++;
          else non2xx++;
        }
      } finally {
        connection.close();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: users.length / seconds,
    okPerSecond: ok / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    non2xx,
    errors: 0,
  };
}

async function fullLogins(users: SeededUser[], seconds: number, inFlight: number) {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  const stop = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      const connection = new BenchConnection(PORT);
      try {
        await loginsOn(connection);
      } finally {
        connection.close();
      }
    }),
  );
  async function loginsOn(connection: BenchConnection) {
    while (Date.now() < stop && next < users.length) {
      const user = users[next++]!;
      const started = performance.now();
      const first = await connection.post('/api/v1/sessions', { login: user.email, password: PASSWORD });
      const challenge = first.json as { challenge?: { id: string } };
      if (!challenge.challenge) {
        failed++;
        continue;
      }
      const second = await connection.post('/api/v1/sessions/mfa', {
        challengeId: challenge.challenge.id,
        code: referenceTotp(user.secret, Date.now()),
      });
      if (second.status === 201) ok++;
      else failed++;
      latencies.push(performance.now() - started);
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    perSecond: ok / seconds,
    ok,
    failed,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
}

/**
 * The growth phase (issue 21): MFA verify and full logins on a database of 10k accounts (each with a
 * bound device) and 100k audit events; then the same database grown in bulk, without HTTP, to 100k
 * accounts and 1M audit events, and the same loads again. Every verify round is the same 10k
 * accounts, each with a fresh pending login, in a TOTP step of its own (a device takes one code per
 * step), and lasts until all 10k are answered: the two databases differ only in size. Reports the
 * mean of three rounds on each, the ratio, and the server's memory after each round (RSS and its
 * anonymous, file-backed and shared parts, from /proc).
 */
async function growthPhase() {
  const loginSeconds = Number(process.env.BENCH_GROWTH_SECONDS ?? 5);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-growth-'));
  const keyHex = randomBytes(32).toString('hex');
  const pgDatabase = PG_URL ? await createBenchDatabase() : null;
  const { database, box, passwordHash } = await openBenchDatabase(dataDir, keyHex, pgDatabase?.url ?? null);
  const seedTimed = async <T>(label: string, run: () => Promise<T>) => {
    const started = Date.now();
    const result = await run();
    console.log(`  seeded ${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };

  /** Waits for the next TOTP step (+1 s), so a round's codes are all new to their devices. */
  const nextStep = () => new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 1000));

  /** Fresh pending logins for the users, then one round of MFA verify until each is answered. */
  const verifyRound = async (server: ChildProcess, users: SeededUser[]) => {
    await refreshChallenges(database.db, users, database.kind);
    await nextStep();
    const result = await verifyAll(users, 32);
    return { ...result, memory: memoryOf(server.pid!) };
  };

  /** A warm-up round (not counted), three rounds, then full logins in a step of their own. */
  const measure = async (users: SeededUser[]) => {
    const server = await startServer(dataDir, keyHex, pgDatabase?.url ?? null);
    try {
      const idle = memoryOf(server.pid!);
      await verifyRound(server, users);
      const rounds = [];
      for (let k = 0; k < 3; k++) rounds.push(await verifyRound(server, users));
      await nextStep();
      const logins = await fullLogins(users.slice(0, 1500), loginSeconds, LOGINS_IN_FLIGHT);
      return { idle, rounds, logins, afterLogins: memoryOf(server.pid!) };
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
  };

  try {
    console.log(`growth phase (${DATABASE_LABEL}): seeding 10k accounts and 100k audit events …`);
    const users = await seedTimed('10k accounts, 100k audit events', async () => {
      const seeded = await seedAccounts(database.db, box, {
        prefix: 's',
        count: 10_000,
        withChallenge: 0,
        auditEvents: 100_000,
        passwordHash,
      });
      await settle(database.db, database.kind);
      return seeded;
    });
    const small = await measure(users);
    console.log('growing to 100k accounts and 1M audit events …');
    await seedTimed('90k accounts, 900k audit events', async () => {
      await seedAccounts(database.db, box, {
        prefix: 'b',
        count: 90_000,
        withChallenge: 0,
        auditEvents: 900_000,
        passwordHash,
      });
      await settle(database.db, database.kind);
    });
    const large = await measure(users);

    const mean = (rounds: LoadResult[]) => rounds.reduce((sum, r) => sum + r.okPerSecond, 0) / rounds.length;
    const anon = [...small.rounds, ...large.rounds].map((r) => r.memory.anon);
    const result = {
      database: DATABASE_LABEL,
      verifyRound: '10k fresh pending logins of the same 10k accounts, 32 connections, until all answered',
      small: { accounts: 10_000, auditEvents: 100_000, ...small, verifyMean: mean(small.rounds) },
      large: { accounts: 100_000, auditEvents: 1_000_000, ...large, verifyMean: mean(large.rounds) },
      ratios: {
        verifyLargeToSmall: mean(large.rounds) / mean(small.rounds),
        loginsLargeToSmall: large.logins.perSecond / small.logins.perSecond,
        anonymousSpread: (Math.max(...anon) - Math.min(...anon)) / Math.min(...anon),
      },
    };
    const mem = (m: { rss: number; anon: number; file: number; shmem: number }) =>
      `RSS ${m.rss} MiB (anonymous ${m.anon}, file ${m.file}, shared ${m.shmem})`;
    const line = (name: string, value: string) => console.log(`${name.padEnd(40)} ${value}`);
    console.log(`\ntwofold bench — growth phase, ${DATABASE_LABEL}, load client ${CLIENT}\n`);
    for (const [label, run] of [
      ['10k accounts, 100k audit events', small],
      ['100k accounts, 1M audit events', large],
    ] as const) {
      line(`${label}: idle`, mem(run.idle));
      run.rounds.forEach((r, i) =>
        line(
          `  MFA verify round ${i + 1}`,
          `${Math.round(r.okPerSecond)} verified/s, p99 ${r.p99.toFixed(1)} ms, non-2xx ${r.non2xx}; ${mem(r.memory)}`,
        ),
      );
      line(
        `  full logins (${LOGINS_IN_FLIGHT} in flight)`,
        `${run.logins.perSecond.toFixed(1)} /s; ${mem(run.afterLogins)}`,
      );
    }
    line('ratio verify 100k / 10k', `${(result.ratios.verifyLargeToSmall * 100).toFixed(1)} %`);
    line('ratio logins 100k / 10k', `${(result.ratios.loginsLargeToSmall * 100).toFixed(1)} %`);
    line(
      'anonymous memory over the 6 rounds',
      `${Math.min(...anon)}–${Math.max(...anon)} MiB (spread ${(result.ratios.anonymousSpread * 100).toFixed(1)} %)`,
    );
    mkdirSync('.bench', { recursive: true });
    writeFileSync('.bench/growth.json', JSON.stringify(result, null, 2));
    console.log('\nwritten to .bench/growth.json');
    return result;
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    await pgDatabase?.drop();
  }
}

const OIDC_IN_FLIGHT = 8;
const oidcLine = (r: { perSecond: number; p50: number; p99: number }) =>
  `${r.perSecond.toFixed(1)} /s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;

async function main() {
  if (process.env.BENCH_ONLY === 'growth') {
    await growthPhase();
    return;
  }
  if (process.env.BENCH_ONLY === 'oidc') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-bench-'));
    const pgDatabase = PG_URL ? await createBenchDatabase() : null;
    const keyHex = randomBytes(32).toString('hex');
    // Migrated as `twofold migrate` would (no users seeded: the phase signs one up over HTTP).
    const { database } = await openBenchDatabase(dataDir, keyHex, pgDatabase?.url ?? null);
    await database.close();
    const server = await startServer(dataDir, keyHex, pgDatabase?.url ?? null);
    try {
      const cpu = readCpu(server.pid!);
      const result = await oidcSignIns(BASE, DURATION_S, OIDC_IN_FLIGHT);
      const serverCpu = ((readCpu(server.pid!) - cpu) / DURATION_S) * 100;
      console.log(
        `OIDC single sign-on (authorization + token, ${OIDC_IN_FLIGHT} in flight, ${DATABASE_LABEL}): ${oidcLine(result)}, server CPU ${serverCpu.toFixed(0)} %`,
      );
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
      await pgDatabase?.drop();
    }
    return;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-bench-'));
  const keyHex = randomBytes(32).toString('hex');
  const verifyUsers = Number(process.env.BENCH_VERIFY_USERS ?? 8000 * DURATION_S);
  const pgDatabase = PG_URL ? await createBenchDatabase() : null;
  console.log(`seeding ${verifyUsers} users with pending logins and 6000 users for full logins (${DATABASE_LABEL}) …`);
  const seeded = await seed(
    dataDir,
    keyHex,
    process.env.BENCH_ONLY === 'logins' ? 0 : verifyUsers,
    6000,
    pgDatabase?.url ?? null,
  );
  const server = await startServer(dataDir, keyHex, pgDatabase?.url ?? null);
  /** PostgreSQL's CPU share over a phase (n/a on SQLite). */
  const pgPhase = () => {
    const start = postgresCpu();
    return (seconds: number) =>
      pgDatabase ? `, PostgreSQL CPU ${(((postgresCpu() - start) / seconds) * 100).toFixed(0)} %` : '';
  };
  try {
    const only = process.env.BENCH_ONLY; // "verify" or "logins": one phase, while profiling it
    if (only === 'logins') {
      const before = await argon2HashesPerSecond(DURATION_S, 4);
      const snapshot = () => ({
        server: readCpu(server.pid!),
        client: readCpu(process.pid),
        mainSystem: readCpu(server.pid!, server.pid!, 'system'),
        threads: threadCpu(server.pid!),
        clientThreads: threadCpu(process.pid),
      });
      const start = snapshot();
      const logins = await fullLogins(seeded.login, DURATION_S, LOGINS_IN_FLIGHT);
      const end = snapshot();
      const bound = (before + (await argon2HashesPerSecond(DURATION_S, 4))) / 2;
      const percent = (seconds: number) => `${((seconds / DURATION_S) * 100).toFixed(0)} %`;
      const main = (end.threads.get(server.pid!) ?? 0) - (start.threads.get(server.pid!) ?? 0);
      if (process.env.BENCH_THREADS) {
        for (const [tid, seconds] of end.clientThreads)
          console.log(
            `  client thread ${tid}${tid === process.pid ? ' (main)' : ''}: ${percent(seconds - (start.clientThreads.get(tid) ?? 0))}`,
          );
        for (const [tid, seconds] of end.threads)
          console.log(
            `  server thread ${tid}${tid === server.pid ? ' (main)' : ''}: ${percent(seconds - (start.threads.get(tid) ?? 0))}`,
          );
        console.log(`  server main thread system time: ${percent(end.mainSystem - start.mainSystem)}`);
      }
      console.log(
        `logins only: ${logins.perSecond.toFixed(1)} /s = ${((logins.perSecond / bound) * 100).toFixed(1)} % of ${bound.toFixed(1)} argon2id hashes/s (mean of before and after), p50 ${Math.round(logins.p50)} ms, p99 ${Math.round(logins.p99)} ms; CPU: server ${percent(end.server - start.server)} (main thread ${percent(main)}), load client ${percent(end.client - start.client)}`,
      );
      return;
    }
    const health = only
      ? { requestsPerSecond: 1, okPerSecond: 1, p50: 0, p99: 0, non2xx: 0, errors: 0 }
      : await load({ path: '/healthz', connections: 32, seconds: DURATION_S });
    let pgVerify = '';
    let pgLogins = '';
    let pgMe = '';

    // Each request takes the next seeded pending login: a warm-up share first (the verify path's
    // first seconds run before V8 has optimised it and SQLite has its pages cached), then the phase.
    const warmUp = Math.min(Math.floor(seeded.verify.length / 5), 12_000);
    const verifyBody = (offset: number) => (index: number, nowMs: number) => {
      const user = seeded.verify[offset + index]!;
      return JSON.stringify({ challengeId: user.challengeId, code: referenceTotp(user.secret, nowMs) });
    };
    await load({
      path: '/api/v1/sessions/mfa',
      connections: 32,
      seconds: 2,
      bodies: { count: warmUp, bodiesAt: verifyBody(0) },
    });
    const cpuBefore = readCpu(server.pid!);
    const mainBefore = readCpu(server.pid!, server.pid!);
    const machineBefore = readMachineBusy();
    const pgDuringVerify = pgPhase();
    const verify = await load({
      path: '/api/v1/sessions/mfa',
      connections: 32,
      seconds: DURATION_S,
      bodies: { count: seeded.verify.length - warmUp, bodiesAt: verifyBody(warmUp) },
    });
    pgVerify = pgDuringVerify(DURATION_S);
    const memoryAfterVerify = memoryOf(server.pid!);
    const verifyServerCpu = (readCpu(server.pid!) - cpuBefore) / DURATION_S;
    const verifyMainThreadCpu = (readCpu(server.pid!, server.pid!) - mainBefore) / DURATION_S;
    // What the server did not use: the load client, mostly (the bench's own process idles meanwhile with wrk).
    const verifyRestCpu = (readMachineBusy() - machineBefore) / DURATION_S - verifyServerCpu;
    const cpuText = `server CPU ${(verifyServerCpu * 100).toFixed(0)} % (main thread ${(verifyMainThreadCpu * 100).toFixed(0)} %), load client and rest ${(verifyRestCpu * 100).toFixed(0)} %${pgVerify}`;

    if (only) {
      console.log(
        `verify only (${CLIENT}): ${Math.round(verify.requestsPerSecond)} req/s, p50 ${verify.p50} ms, p99 ${verify.p99} ms, non-2xx ${verify.non2xx}, errors ${verify.errors}, ${cpuText}`,
      );
      return;
    }
    // A session for GET /me, from a user no other phase touches.
    const meUser = seeded.login.pop()!;
    const meLogin = await fullLogins([meUser], 1, 1);
    if (meLogin.ok !== 1) throw new Error('could not log in the GET /me user');
    const tokenResponse = await (async () => {
      const r = await fetch(`${BASE}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: meUser.email, password: PASSWORD }),
      });
      const c = (await r.json()) as { challenge: { id: string } };
      await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 200));
      const s = await fetch(`${BASE}/api/v1/sessions/mfa`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challengeId: c.challenge.id, code: referenceTotp(meUser.secret, Date.now()) }),
      });
      return ((await s.json()) as { session: { token: string } }).session.token;
    })();
    // Logins alone (the ratio to the argon2id bound), then logins again with GET /me alongside.
    // The argon2id bound is measured right before and right after (same length, server idle) and
    // the logins compared with the mean: this machine's speed drifts by ±10 % within minutes.
    const half = Math.floor(seeded.login.length / 2);
    const argon2Before = await argon2HashesPerSecond(DURATION_S, 4);
    const pgDuringLogins = pgPhase();
    const logins = await fullLogins(seeded.login.slice(0, half), DURATION_S, LOGINS_IN_FLIGHT);
    pgLogins = pgDuringLogins(DURATION_S);
    const argon2After = await argon2HashesPerSecond(DURATION_S, 4);
    const argon2 = (argon2Before + argon2After) / 2;
    const pgDuringMe = pgPhase();
    const [loginsUnderRead, me] = await Promise.all([
      fullLogins(seeded.login.slice(half), DURATION_S, LOGINS_IN_FLIGHT),
      load({
        path: '/api/v1/me',
        connections: 4,
        seconds: DURATION_S,
        headers: { authorization: `Bearer ${tokenResponse}` },
      }),
    ]);

    pgMe = pgDuringMe(DURATION_S);
    const oidc = await oidcSignIns(BASE, DURATION_S, OIDC_IN_FLIGHT);
    const results = {
      machine: {
        cpus: (await import('node:os')).cpus().length,
        node: process.version,
        loadClient: CLIENT,
        threadPool: Number(THREAD_POOL),
        durationSeconds: DURATION_S,
        database: PG_URL ? 'PostgreSQL' : 'SQLite WAL synchronous=FULL',
        logLevel: 'info',
      },
      healthz: health,
      argon2idHashesPerSecond: argon2,
      argon2idBeforeAndAfterLogins: [argon2Before, argon2After],
      mfaVerify: {
        connections: 32,
        ...verify,
        serverCpu: verifyServerCpu,
        serverMainThreadCpu: verifyMainThreadCpu,
        loadClientAndRestCpu: verifyRestCpu,
      },
      fullLogins: {
        inFlight: LOGINS_IN_FLIGHT,
        perSecond: logins.perSecond,
        ok: logins.ok,
        failed: logins.failed,
        p50Ms: Math.round(logins.p50),
        p99Ms: Math.round(logins.p99),
      },
      meDuringLogins: { connections: 4, ...me, loginsPerSecondMeanwhile: loginsUnderRead.perSecond },
      oidcSingleSignOn: { inFlight: OIDC_IN_FLIGHT, ...oidc },
      /** The server's memory (MiB, /proc): after the verify load, and at the end. */
      serverMemory: { afterVerify: memoryAfterVerify, atEnd: memoryOf(server.pid!) },
      ratios: {
        mfaVerifyToHealthz: verify.requestsPerSecond / health.requestsPerSecond,
        loginsToArgon2: logins.perSecond / argon2,
      },
    };
    const line = (name: string, value: string) => console.log(`${name.padEnd(44)} ${value}`);
    console.log(
      '\ntwofold bench — ' +
        `${results.machine.cpus} cores, ${process.version}, ${DURATION_S}s per phase, ${DATABASE_LABEL}, load client ${CLIENT}\n`,
    );
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    line(
      'GET /healthz (32 conn)',
      `${Math.round(health.requestsPerSecond)} req/s, p50 ${ms(health.p50)}, p99 ${ms(health.p99)}`,
    );
    line(
      `argon2id hashes/s (4 in flight, ${THREAD_POOL} threads)`,
      `${argon2.toFixed(1)} (mean of ${argon2Before.toFixed(1)} before and ${argon2After.toFixed(1)} after the logins)`,
    );
    line(
      'POST /sessions/mfa (32 conn)',
      `${Math.round(verify.requestsPerSecond)} req/s, p50 ${ms(verify.p50)}, p99 ${ms(verify.p99)}, non-2xx ${verify.non2xx}, ${cpuText}`,
    );
    line(
      `full logins password+code (${LOGINS_IN_FLIGHT} in flight)`,
      `${logins.perSecond.toFixed(1)} /s (ok ${logins.ok}, failed ${logins.failed}), p50 ${results.fullLogins.p50Ms} ms, p99 ${results.fullLogins.p99Ms} ms${pgLogins}`,
    );
    line(
      'GET /me during logins (4 conn)',
      `${Math.round(me.requestsPerSecond)} req/s, p50 ${ms(me.p50)}, p99 ${ms(me.p99)}, non-2xx ${me.non2xx} (logins meanwhile ${loginsUnderRead.perSecond.toFixed(1)} /s)${pgMe}`,
    );
    line(`OIDC single sign-on (${OIDC_IN_FLIGHT} in flight)`, `${oidcLine(oidc)} (authorization + token)`);
    const mem = (m: { rss: number; anon: number; file: number }) =>
      `RSS ${m.rss} MiB (anonymous ${m.anon}, file ${m.file})`;
    line('server memory after verify / at the end', `${mem(memoryAfterVerify)} / ${mem(results.serverMemory.atEnd)}`);
    line('ratio MFA verify / healthz', `${(results.ratios.mfaVerifyToHealthz * 100).toFixed(1)} %`);
    line('ratio logins / argon2id bound', `${(results.ratios.loginsToArgon2 * 100).toFixed(1)} %`);
    mkdirSync('.bench', { recursive: true });
    writeFileSync('.bench/last.json', JSON.stringify(results, null, 2));
    console.log('\nwritten to .bench/last.json');
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    await pgDatabase?.drop();
  }
  // The growth phase on a database of its own (BENCH_GROWTH=0 skips it).
  if (!process.env.BENCH_ONLY && process.env.BENCH_GROWTH !== '0') await growthPhase();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
