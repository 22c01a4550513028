import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, ConfigError, type Config } from '../config/config.js';
import type { Logger } from 'pino';
import type { Services } from '../domain/services.js';
import { AppError } from '../errors/app-error.js';
import { startServer } from '../http/server.js';
import { logRedactPaths } from '../http/app.js';
import { TOTP_PERIOD_SECONDS, base32ToSecret, hotp, parseOtpauthUri, timeStep } from '../crypto/totp.js';
import { OIDC_PREFIX } from '../http/oidc/provider.js';
import { apiScopeNames } from '../domain/api-tokens/scopes.js';
import { MAX_TOKEN_DAYS } from '../domain/api-tokens/api-tokens.service.js';

function configOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`twofold: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

/** What the composition root (src/main.ts) hands the CLI: the only way it reaches the database. */
export interface CompositionRoot {
  openRuntime(
    config: Readonly<Config>,
    options?: { logger?: Logger; configOverrides?: Partial<Config> },
  ): Promise<{ services: Services; close(): Promise<void> }>;
  migrate(config: Readonly<Config>): Promise<string[]>;
  serverLogger(config: Pick<Config, 'logLevel'>, redact: string[]): { logger: Logger; flush: () => void };
}

/** A start that cannot go on (the database is unreachable or its schema is behind): message, exit 1. */
function isStartupError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'StartupError';
}

async function readSecretLine(prompt: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

/** A new account's password from standard input, 8 to 256 characters like the API's. */
async function readNewPassword(): Promise<string> {
  const password = await readSecretLine('Password (at least 8 characters): ');
  if (password.length < 8 || password.length > 256)
    throw new InvalidArgumentError('the password must be 8 to 256 characters');
  return password;
}

/** `twofold totp`: the current code for a base32 secret or an otpauth:// URI, like `oathtool --totp -b`. */
export function totpCommand(input: string, atMs: number): { code: string; secondsLeft: number } {
  const parsed = input.startsWith('otpauth://')
    ? parseOtpauthUri(input)
    : { secret: base32ToSecret(input), digits: 6, period: TOTP_PERIOD_SECONDS, algorithm: 'SHA1' as const };
  const step = timeStep(atMs, parsed.period);
  return {
    code: hotp(parsed.secret, step, parsed.digits, parsed.algorithm),
    secondsLeft: parsed.period - (Math.floor(atMs / 1000) % parsed.period),
  };
}

export async function runCli(argv: string[], root: CompositionRoot): Promise<void> {
  /**
   * Runs one operator command on the services the composition root builds (SQLite brought up to
   * date first, as `serve` does); a domain error becomes a plain message; the database is closed.
   */
  async function withServices<T>(
    work: (services: Services) => Promise<T>,
    configOverrides: Partial<Config> = {},
  ): Promise<T> {
    const runtime = await root.openRuntime(configOrExit(), { configOverrides });
    try {
      return await work(runtime.services);
    } catch (error) {
      if (error instanceof AppError) throw new Error(error.message, { cause: error });
      throw error;
    } finally {
      await runtime.close();
    }
  }

  const program = new Command('twofold').description('twofold: account security with virtual MFA').showHelpAfterError();

  program
    .command('serve')
    .description('serve the API and the console')
    .action(async () => {
      const config = configOrExit();
      const { logger, flush } = root.serverLogger(config, logRedactPaths);
      let runtime;
      try {
        runtime = await root.openRuntime(config, { logger });
      } catch (error) {
        if (!isStartupError(error)) throw error;
        console.error(`twofold: ${error.message}`);
        process.exit(1);
      }
      const { app, shutdown } = await startServer({
        config,
        services: runtime.services,
        logger,
        flush,
        closeRuntime: runtime.close,
      });
      // The warning comes before the address, so whoever reads where it serves has read it first.
      if (config.dev)
        console.log(
          'WARNING: dev mode is on (TWOFOLD_DEV=1): anyone can read every e-mail and SMS code at /dev/outbox. Never in production.',
        );
      const where = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${(app.server.address() as { port: number }).port}`;
      console.log(
        `twofold is serving the console at ${where}/ and the API at ${where}/api/v1 (${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`})`,
      );
      // Applications sign in against the public URL, not the listening address (decision 029).
      console.log(`OpenID Connect issuer: ${config.publicUrl}/oidc (applications: /applications)`);
      // libuv's pool runs the argon2id hashes; bin/twofold.cjs sizes it to the cores (decision 014).
      console.log(
        `password hashing: ${process.env.UV_THREADPOOL_SIZE || '4 (libuv default)'} threads (UV_THREADPOOL_SIZE)`,
      );
      console.log('First time? Open /signup in a browser, or run: twofold account create --email you@example.com');
      const stop = (signal: string) => void shutdown(signal).then((status) => process.exit(status));
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });

  program
    .command('migrate')
    .description('bring the database schema up to date (run once per release on PostgreSQL)')
    .action(async () => {
      const applied = await root.migrate(configOrExit());
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
    });

  const account = program.command('account').description('manage primary accounts');
  account
    .command('create')
    .description('create a primary account; the password is read from standard input')
    .requiredOption('--email <email>', 'login email of the primary account')
    .option('--display-name <name>', 'name shown in the console')
    .action(async (options: { email: string; displayName?: string }) => {
      configOrExit();
      const password = await readNewPassword();
      await withServices(
        async (services) => {
          const result = await services.accounts.signup(
            { email: options.email, password, displayName: options.displayName },
            { ip: null, userAgent: 'twofold-cli' },
          );
          console.log(`created account ${result.account.id} (alias ${result.account.alias}) for ${options.email}`);
        },
        { signupOpen: true },
      );
    });
  account
    .command('unlock')
    .description("clear a user's password and second-factor lockouts")
    .option('--email <email>', 'login email of a primary account')
    .option('--login <login>', 'any login: an email, or username@alias of a sub-user')
    .action(async (options: { email?: string; login?: string }) => {
      const login = options.login ?? options.email;
      if (!login) throw new InvalidArgumentError('give --login (or --email)');
      await withServices(async (services) => {
        await services.operator.unlock(login);
        console.log(`unlocked ${login}`);
      });
    });

  account
    .command('reset-mfa')
    .description(
      "break-glass: remove a user's virtual MFA device and recovery codes, end its sessions, audit it with the reason and e-mail the user",
    )
    .requiredOption('--login <login>', 'an email, or username@alias of a sub-user')
    .requiredOption('--reason <reason>', 'why (kept in the audit log and told to the user)')
    .action(async (options: { login: string; reason: string }) => {
      await withServices(async (services) => {
        const result = await services.operator.resetMfa(options.login, options.reason);
        console.log(
          result.deviceRemoved
            ? `reset ${options.login}: device and recovery codes removed, sessions ended, user e-mailed`
            : `reset ${options.login}: no device was bound; recovery codes revoked, sessions ended, user e-mailed`,
        );
      });
    });

  const operator = program.command('operator').description('manage support operators (lost-device tickets, /support)');
  operator
    .command('create')
    .description(
      'create a support operator in an account of its own; the password is read from standard input, and a device must be bound at the first login',
    )
    .requiredOption('--email <email>', 'login email of the operator')
    .option('--display-name <name>', 'name shown in the console')
    .action(async (options: { email: string; displayName?: string }) => {
      configOrExit();
      const password = await readNewPassword();
      await withServices(async (services) => {
        const result = await services.accounts.createOperator({
          email: options.email,
          password,
          displayName: options.displayName,
        });
        console.log(
          `created operator ${options.email} (account ${result.account.id}); at the first login they bind a virtual MFA device, then open /support`,
        );
      });
    });
  operator
    .command('list')
    .description('the support operators: who may open /support now')
    .action(async () => {
      configOrExit();
      await withServices(async (services) => {
        const operators = await services.operator.listOperators();
        if (operators.length === 0) console.log('no support operators');
        for (const o of operators)
          console.log(
            `${o.email}  ${o.displayName}  since ${new Date(o.createdAt).toISOString()}${o.disabled ? '  (disabled)' : ''}`,
          );
      });
    });
  operator
    .command('remove')
    .description(
      "take the support role from an operator: their sessions end at once; the audit log keeps their past actions as a support operator's",
    )
    .requiredOption('--email <email>', 'login email of the operator')
    .action(async (options: { email: string }) => {
      configOrExit();
      await withServices(async (services) => {
        await services.operator.removeOperator(options.email);
        console.log(`removed operator ${options.email}: no longer a support operator, every session ended`);
      });
    });

  program
    .command('mail')
    .description(
      'list security e-mails not delivered yet (pending retries), given up on (failed), or kept in the database because no SMTP server is configured (kept)',
    )
    .action(async () => {
      await withServices(async (services) => {
        const queue = await services.operator.mailQueue();
        if (queue.length === 0) console.log('nothing waiting: every message was delivered');
        for (const m of queue) {
          console.log(
            `${new Date(m.created_at).toISOString()}  ${(m.status === 'outbox' ? 'kept' : m.status).padEnd(7)}  attempts ${m.attempts}  ${m.kind}  to ${m.to_address}${m.last_error ? `  last error: ${m.last_error}` : ''}`,
          );
        }
      });
    });

  program
    .command('housekeeping')
    .description(
      'remove expired login challenges, codes and enrollments, and sessions and delivered mail older than 30 days (serve does this hourly)',
    )
    .action(async () => {
      await withServices(async (services) => {
        const counts = await services.housekeeping.runOnce();
        console.log(
          Object.entries(counts)
            .map(([kind, count]) => `${kind} ${count}`)
            .join(', '),
        );
      });
    });

  // ---- twofold as an OpenID Connect provider (issue 23) ------------------------------------------
  const oidc = program
    .command('oidc')
    .description('twofold as an OpenID Connect provider: applications and signing keys');
  const client = oidc
    .command('client')
    .description('manage the applications (OpenID Connect clients) of a primary account, as the operator');
  /** A repeatable option's values, in the order given. */
  const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
  const iso = (ms: number) => new Date(ms).toISOString();

  client
    .command('add')
    .description(
      "register an application for a primary account; a confidential one's client secret is printed this once",
    )
    .requiredOption('--account <email>', 'login email of the primary account that owns the application')
    .requiredOption('--name <name>', 'name of the application (shown to its users)')
    .requiredOption(
      '--redirect-uri <uri>',
      'a redirect URI, matched exactly: https, or http on localhost (repeat for more)',
      collect,
    )
    .option('--post-logout-uri <uri>', 'where the application may send people after signing out (repeatable)', collect)
    .option('--public', 'a public client (single-page or native app, PKCE, no secret); default: confidential')
    .option('--first-party', "the account's own application: its users see no consent screen")
    .option('--workspace <id>', 'only the members of this workspace may sign in, under its MFA policy')
    .action(
      async (options: {
        account: string;
        name: string;
        redirectUri: string[];
        postLogoutUri?: string[];
        public?: boolean;
        firstParty?: boolean;
        workspace?: string;
      }) => {
        const { publicUrl } = configOrExit();
        await withServices(async (services) => {
          const { client: created, clientSecret } = await services.oidc.operator.add(options.account, {
            name: options.name,
            redirectUris: options.redirectUri,
            postLogoutRedirectUris: options.postLogoutUri ?? [],
            type: options.public ? 'public' : 'confidential',
            ...(options.workspace !== undefined ? { workspaceId: options.workspace } : {}),
            firstParty: options.firstParty === true,
          });
          console.log(`registered ${created.type} application ${created.id} (${created.name}) for ${options.account}`);
          console.log(`client_id: ${created.id}`);
          if (clientSecret) console.log(`client_secret: ${clientSecret}`);
          console.log(`issuer: ${publicUrl}${OIDC_PREFIX}`);
          console.log(
            clientSecret
              ? 'the client secret is shown this once: store it now (twofold keeps only its hash)'
              : 'a public client has no secret: it signs in with PKCE (S256)',
          );
        });
      },
    );

  client
    .command('list')
    .description("list a primary account's applications (never a secret)")
    .requiredOption('--account <email>', 'login email of the primary account')
    .action(async (options: { account: string }) => {
      await withServices(async (services) => {
        const clients = await services.oidc.operator.list(options.account);
        if (clients.length === 0) console.log(`no applications for ${options.account}`);
        for (const c of clients) {
          console.log(
            [
              c.id,
              c.type.padEnd(12),
              iso(c.createdAt),
              c.name,
              `redirect ${c.redirectUris.join(' ')}`,
              ...(c.postLogoutRedirectUris.length ? [`post-logout ${c.postLogoutRedirectUris.join(' ')}`] : []),
              ...(c.workspaceId ? [`workspace ${c.workspaceId}`] : []),
              ...(c.firstParty ? ['first-party'] : []),
            ].join('  '),
          );
        }
      });
    });

  client
    .command('remove')
    .description('delete an application: its sign-ins, grants and tokens are revoked at once')
    .argument('<clientId>', 'the client ID (twofold oidc client list)')
    .action(async (clientId: string) => {
      await withServices(async (services) => {
        const { client: removed, revokedRows } = await services.oidc.operator.remove(clientId);
        console.log(
          `removed application ${removed.id} (${removed.name}): ${revokedRows} grants, codes, tokens and sessions revoked`,
        );
      });
    });

  // ---- API tokens (issue 24) -----------------------------------------------------------------------
  const token = program
    .command('token')
    .description("API tokens for scripts (Authorization: Bearer tfk_…), as the server's operator");
  token
    .command('create')
    .description('create an API token for a primary account (or one of its user administrators); printed this once')
    .requiredOption('--account <email>', 'login email of the primary account')
    .option('--user <username>', 'a user administrator of that account to own the token instead')
    .requiredOption('--name <name>', 'what the token is for (shown in the console and the audit log)')
    .requiredOption('--scope <scope>', `a scope (repeatable): ${apiScopeNames.join(', ')}`, collect)
    .option('--days <days>', `days until it stops working, 1 to ${MAX_TOKEN_DAYS}`, '90')
    .action(async (options: { account: string; user?: string; name: string; scope: string[]; days: string }) => {
      const days = Number(options.days);
      if (!/^\d+$/.test(options.days))
        throw new InvalidArgumentError(`--days must be a whole number, got ${options.days}`);
      await withServices(async (services) => {
        const { token: created, secret } = await services.apiTokens.operator.create({
          email: options.account,
          username: options.user,
          name: options.name,
          scopes: options.scope,
          expiresInDays: days,
        });
        console.log(`created API token ${created.id} (${created.name}) for ${options.user ?? options.account}`);
        console.log(`scopes: ${created.scopes.join(' ')}`);
        console.log(`expires: ${iso(created.expiresAt)}`);
        console.log(`token: ${secret}`);
        console.log('the token is shown this once: store it now (twofold keeps only its hash)');
      });
    });
  token
    .command('list')
    .description('list every API token that still works (never a secret)')
    .action(async () => {
      await withServices(async (services) => {
        const tokens = await services.apiTokens.operator.list();
        if (tokens.length === 0) console.log('no API tokens');
        for (const t of tokens)
          console.log(
            [
              t.id,
              t.owner,
              t.name,
              t.scopes.join(' '),
              `expires ${iso(t.expiresAt)}`,
              t.lastUsedAt === null ? 'never used' : `last used ${iso(t.lastUsedAt)}`,
            ].join('  '),
          );
      });
    });
  token
    .command('revoke')
    .description('revoke an API token: every instance refuses it from its next call')
    .argument('<id>', 'the token id (twofold token list)')
    .action(async (id: string) => {
      await withServices(async (services) => {
        await services.apiTokens.operator.revoke(id);
        console.log(`revoked API token ${id}`);
      });
    });

  const keys = oidc.command('keys').description('the ID-token signing keys (published at /oidc/jwks)');
  keys
    .command('rotate')
    .description('add a new ES256 and RS256 key pair that signs from now on; the old keys verify for one more day')
    .action(async () => {
      await withServices(async (services) => {
        const { added, retired } = await services.oidc.keys.rotate();
        const all = new Map((await services.oidc.keys.list()).map((k) => [k.kid, k]));
        const named = (kids: string[]) => kids.map((kid) => `${kid} (${all.get(kid)?.alg ?? '?'})`).join(', ');
        console.log(`added: ${named(added)}`);
        const until = retired.map((kid) => all.get(kid)?.expiresAt).find((at) => typeof at === 'number');
        console.log(
          retired.length
            ? `retired: ${named(retired)}, published until ${until ? iso(until) : '?'}`
            : 'retired: none (there was no signing key yet)',
        );
      });
    });
  keys
    .command('list')
    .description('list the signing keys: the ones that sign, and retired ones still published')
    .action(async () => {
      await withServices(async (services) => {
        const list = await services.oidc.keys.list();
        const now = services.clock();
        if (list.length === 0)
          console.log('no signing keys yet: the first sign-in creates them, or run: twofold oidc keys rotate');
        for (const k of list) {
          const state =
            k.retiredAt === null
              ? 'signing'
              : k.expiresAt !== null && k.expiresAt <= now
                ? `retired ${iso(k.retiredAt)}, expired ${iso(k.expiresAt)} (housekeeping removes it)`
                : `retired ${iso(k.retiredAt)}, published until ${k.expiresAt === null ? '?' : iso(k.expiresAt)}`;
          console.log(`${k.kid}  ${k.alg}  created ${iso(k.createdAt)}  ${state}`);
        }
      });
    });

  program
    .command('totp')
    .description('print the current code for a base32 secret or an otpauth:// URI (a small authenticator)')
    .argument('<secret-or-uri>', 'base32 secret (spaces allowed) or otpauth://totp/... URI')
    .option('--time <time>', 'compute for this time (ISO-8601 or Unix seconds) instead of now')
    .action((input: string, options: { time?: string }) => {
      let at = Date.now();
      if (options.time !== undefined) {
        at = /^\d+$/.test(options.time) ? Number(options.time) * 1000 : Date.parse(options.time);
        if (Number.isNaN(at)) throw new InvalidArgumentError(`not a time: ${options.time}`);
      }
      let result;
      try {
        result = totpCommand(input, at);
      } catch (error) {
        throw new Error(`twofold totp: ${(error as Error).message}`, { cause: error });
      }
      console.log(result.code);
      if (process.stdout.isTTY) console.error(`(valid for ${result.secondsLeft} more seconds)`);
    });

  await program.parseAsync(argv);
}
