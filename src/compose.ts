import type { Config } from './config/config.js';
import type { OpenDatabase } from './db/database.js';
import { createStore } from './db/repositories/index.js';
import { checkDatabase, pendingMigrations } from './db/database.js';
import { createHealthCheck } from './domain/health/health.js';
import { systemClock, systemRandom, type Clock, type RandomBytes } from './crypto/random.js';
import { createPasswordHasher, type PasswordHasher } from './crypto/password.js';
import { createSecretBox } from './crypto/secret-box.js';
import { createAuditRecorder } from './domain/audit/audit.js';
import { createAuditQuery } from './domain/audit/audit-query.js';
import { createAccountsService, createProfileQuery } from './domain/accounts/accounts.service.js';
import { createSessionsService } from './domain/sessions/sessions.service.js';
import { createSecondFactorChecker } from './domain/mfa/second-factor.js';
import { createMfaService } from './domain/mfa/mfa.service.js';
import { createOperatorService } from './domain/accounts/operator.service.js';
import { createUsersService } from './domain/users/users.service.js';
import { createVerificationService } from './domain/verification/verification.service.js';
import { createWorkspacesService } from './domain/workspaces/workspaces.service.js';
import { createNotifier } from './domain/notify/notifications.js';
import { createDeliveryWorker, type DeliveryLogger } from './domain/notify/delivery.js';
import { createHousekeeper } from './domain/housekeeping/housekeeping.js';
import { createSmtpTransport, outboxTransport, type MailTransport } from './mail/transport.js';
import { createWebhookSms, outboxSms, type SmsSender } from './mail/sms.js';

export type ServiceConfig = Pick<Config, 'secretKeys' | 'signupOpen' | 'sessionIdleSeconds' | 'sessionAbsoluteSeconds' | 'stepUpMaxAgeSeconds' | 'issuer' | 'mfaActivationCodes' | 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'smsWebhookUrl' | 'smsWebhookToken' | 'dev' | 'codeSendsPerAddressHour' | 'codeSendsPerHour'>;

const silentLogger: DeliveryLogger = { info: () => {}, warn: () => {} };

/** The composition root of the domain: one place wires repositories into services (DESIGN.md §3). */
export async function createServices(input: {
  /** The open database (for SQLite, its better-sqlite3 handle too: the group-commit store runs on it). */
  database: Pick<OpenDatabase, 'db' | 'sqlite'> & { schema?: string };
  config: ServiceConfig;
  clock?: Clock;
  random?: RandomBytes;
  hasher?: PasswordHasher;
  /** Defaults to SMTP when `smtpUrl` is set, else the outbox (messages stay in the database). */
  transport?: MailTransport;
  /** Defaults to the webhook when `smsWebhookUrl` is set, else the outbox. */
  sms?: SmsSender;
  logger?: DeliveryLogger;
}) {
  const clock = input.clock ?? systemClock;
  const random = input.random ?? systemRandom;
  const hasher = input.hasher ?? (await createPasswordHasher());
  const store = createStore(input.database.db, input.database.sqlite);
  const secretBox = createSecretBox(input.config.secretKeys, random);
  const audit = createAuditRecorder({ random });
  const checkSecondFactor = createSecondFactorChecker({ secretBox });
  const transport = input.transport ?? (input.config.smtpUrl ? createSmtpTransport(input.config.smtpUrl) : outboxTransport);
  const sms = input.sms ?? (input.config.smsWebhookUrl ? createWebhookSms({ url: input.config.smsWebhookUrl, token: input.config.smsWebhookToken }) : outboxSms);
  const delivery = createDeliveryWorker({ store, transport, sms, from: input.config.mailFrom, clock, logger: input.logger ?? silentLogger });
  const notify = createNotifier({ clock, random, issuer: input.config.issuer, publicUrl: input.config.publicUrl, onQueued: () => delivery.markDirty() });
  const sessions = createSessionsService({
    store, hasher, audit, checkSecondFactor, clock, random, notify,
    settings: { idleSeconds: input.config.sessionIdleSeconds, absoluteSeconds: input.config.sessionAbsoluteSeconds, stepUpMaxAgeSeconds: input.config.stepUpMaxAgeSeconds },
  });
  const verification = createVerificationService({
    store, clock, random, issuer: input.config.issuer,
    // A channel is offered only where a code can really arrive (or be read from the dev outbox).
    channels: { email: input.config.smtpUrl !== null || input.config.dev || input.transport !== undefined, sms: input.config.smsWebhookUrl !== null || input.config.dev || input.sms !== undefined },
    sendLimits: { perAddressHour: input.config.codeSendsPerAddressHour, perHour: input.config.codeSendsPerHour },
    onQueued: () => delivery.markDirty(),
  });
  const mfa = createMfaService({
    store, secretBox, hasher, audit, checkSecondFactor, sessions, clock, random, notify, verification,
    issuer: input.config.issuer, activationCodes: input.config.mfaActivationCodes, stepUpMaxAgeSeconds: input.config.stepUpMaxAgeSeconds,
  });
  return {
    clock,
    store,
    /** GET /readyz: database reachable, schema current, not shutting down. */
    health: createHealthCheck({
      ping: () => checkDatabase(input.database.db),
      pendingMigrations: () => pendingMigrations(input.database.db, input.database.schema),
      timeoutMs: 2000,
    }),
    delivery,
    /** Hourly removal of expired challenges, codes, enrollments and old sessions (started by `serve`). */
    housekeeping: createHousekeeper({ store, clock, logger: input.logger ?? silentLogger }),
    mailTransport: transport.kind,
    users: createUsersService({ store, hasher, audit, mfa, clock, random, notify }),
    workspaces: createWorkspacesService({ store, audit, mfa, notify, clock, random }),
    verification,
    accounts: createAccountsService({ store, hasher, audit, clock, random, signupOpen: input.config.signupOpen, requireFreshStepUp: mfa.requireFreshStepUp, notify }),
    sessions,
    mfa,
    operator: createOperatorService({ store, hasher, audit, clock, random }),
    profile: createProfileQuery({ store }),
    /** The dev outbox: every queued message, newest first (the route exists in dev mode only). */
    outbox: async (to?: string) =>
      (await store.repos.messages.list({ to: to?.trim(), limit: 200 })).map((m) => ({
        id: m.id, channel: m.channel, to: m.to_address, subject: m.subject, text: m.text_body, at: new Date(m.created_at).toISOString(),
        kind: m.kind, status: m.status, attempts: m.attempts, lastError: m.last_error,
      })),
    auditQuery: createAuditQuery({ store }),
  };
}
export type Services = Awaited<ReturnType<typeof createServices>>;
