import type { Config } from '../config/config.js';
import type { Store } from '../db/repositories/index.js';
import type { Principal, RequestMeta } from './sessions/principal.js';
import { createHealthCheck, type HealthDeps } from './health/health.js';
import { systemClock, systemRandom, type Clock, type RandomBytes } from '../crypto/random.js';
import { createPasswordHasher, type PasswordHasher } from '../crypto/password.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { createAuditRecorder } from './audit/audit.js';
import { createAuditQuery } from './audit/audit-query.js';
import { createAccountsService, createProfileQuery } from './accounts/accounts.service.js';
import { createSessionsService } from './sessions/sessions.service.js';
import { createLoginService } from './sessions/login.service.js';
import { createFactors } from './factors/index.js';
import { relyingPartyFor } from './factors/passkey.js';
import { createEnrollmentService } from './mfa/enrollment.service.js';
import { createDeviceService } from './mfa/device.service.js';
import { createStepUpService } from './step-up/step-up.service.js';
import { createRecoveryCodesService } from './mfa/recovery-codes.service.js';
import { createPasswordResetService } from './accounts/password-reset.service.js';
import { createRecoveryCodeHasher } from '../crypto/recovery-codes.js';
import { createStepUpVerifiers } from './step-up/verifiers.js';
import { createProtectionService } from './step-up/protection.service.js';
import { createOperatorService } from './accounts/operator.service.js';
import { createUsersService } from './users/users.service.js';
import { createVerificationService } from './verification/verification.service.js';
import { createWorkspacesService } from './workspaces/workspaces.service.js';
import { createNotifier, messageBody } from './notify/notifications.js';
import { createDeliveryWorker, type DeliveryLogger } from './notify/delivery.js';
import { createHousekeeper } from './housekeeping/housekeeping.js';
import { createRecoveryEffects, createRecoveryScheduler } from './recovery/effects.js';
import { createRealNamesService } from './recovery/real-names.service.js';
import { createRecoveryTicketsService } from './recovery/tickets.service.js';
import { createSupportService } from './recovery/support.service.js';
import { createOidcClientsService } from './oidc/clients.service.js';
import { createOidcSignIn } from './oidc/sign-in.js';
import { createOidcAdapter } from './oidc/adapter.js';
import { createSigningKeys } from './oidc/keys.js';
import { createOidcOperatorClients } from './oidc/operator-clients.js';
import { createMetrics, type PoolStats } from './metrics/metrics.js';
import { setDisplayTimeZone } from '../i18n/format.js';
import { createWebhooks } from './webhooks/index.js';
import type { WebhookNetwork } from './webhooks/send.js';
import { createApiTokensService } from './api-tokens/api-tokens.service.js';
import type { MailTransport } from '../mail/transport.js';
import type { SmsSender } from '../mail/sms.js';

export type ServiceConfig = Pick<
  Config,
  | 'secretKeys'
  | 'signupOpen'
  | 'signupsPerAddressHour'
  | 'sessionIdleSeconds'
  | 'sessionAbsoluteSeconds'
  | 'stepUpMaxAgeSeconds'
  | 'issuer'
  | 'mfaActivationCodes'
  | 'publicUrl'
  | 'mailFrom'
  | 'dev'
  | 'codeSendsPerAddressHour'
  | 'codeSendsPerHour'
  | 'recoveryCoolingOffSeconds'
  | 'recoveryEvidenceDays'
  | 'passwordless'
  | 'webhooksAllowPrivate'
  | 'timeZone'
>;

const silentLogger: DeliveryLogger = { info: () => {}, warn: () => {} };

/**
 * The domain's services, wired from the repositories (`store`) and the outside channels that
 * src/main.ts — the composition root — builds once (docs/design.md §3). Nothing here opens a database.
 */
export async function createServices(input: {
  store: Store;
  config: ServiceConfig;
  /** Mail goes here: SMTP, or the outbox (messages stay in the database). */
  transport: MailTransport;
  /** SMS go here: the webhook, or the outbox. */
  sms: SmsSender;
  /** The database checks behind GET /readyz. */
  health: Omit<HealthDeps, 'timeoutMs'>;
  clock?: Clock;
  random?: RandomBytes;
  hasher?: PasswordHasher;
  logger?: DeliveryLogger;
  /** How webhook deliveries reach out (resolver, timeout, answer cap); defaults for a server. */
  webhookNetwork?: Partial<WebhookNetwork>;
  /** PostgreSQL's pool, for the metrics (absent on SQLite). */
  poolStats?: () => PoolStats;
}) {
  const clock = input.clock ?? systemClock;
  const random = input.random ?? systemRandom;
  const hasher = input.hasher ?? (await createPasswordHasher());
  const logger = input.logger ?? silentLogger;
  const { store, transport, sms } = input;
  const secretBox = createSecretBox(input.config.secretKeys, random);
  // Dates on the console and in e-mails: one zone per process, the operator's (always named on screen).
  setDisplayTimeZone(input.config.timeZone);
  /** Prometheus metrics (issue 24): served only where TWOFOLD_METRICS_ADDRESS says. */
  const metrics = createMetrics({ store, clock, ...(input.poolStats ? { poolStats: input.poolStats } : {}) });
  const audit = createAuditRecorder({
    random,
    onRecorded: (type) => {
      metrics.event(type);
      // Declared below; called only once requests run. A subscribed type is sent soon after the commit.
      webhooks.worker.eventRecorded(type);
    },
  });
  const delivery = createDeliveryWorker({
    store,
    secretBox,
    transport,
    sms,
    from: input.config.mailFrom,
    clock,
    logger,
  });
  const notify = createNotifier({
    clock,
    random,
    secretBox,
    issuer: input.config.issuer,
    publicUrl: input.config.publicUrl,
    onQueued: () => delivery.markDirty(),
  });
  /** What a lost-device ticket does to its account; the login and profile flows call in here too. */
  const recoveryEffects = createRecoveryEffects({
    secretBox,
    audit,
    notify,
    random,
    issuer: input.config.issuer,
    publicUrl: input.config.publicUrl,
    onQueued: () => delivery.markDirty(),
  });
  const verification = createVerificationService({
    store,
    clock,
    random,
    secretBox,
    issuer: input.config.issuer,
    // A channel is offered only where a code can really arrive (or be read from the dev outbox).
    channels: {
      email: transport.kind !== 'outbox' || input.config.dev,
      sms: sms.kind !== 'outbox' || input.config.dev,
    },
    sendLimits: { perAddressHour: input.config.codeSendsPerAddressHour, perHour: input.config.codeSendsPerHour },
    onQueued: () => delivery.markDirty(),
  });
  const recoveryCodeHasher = createRecoveryCodeHasher(input.config.secretKeys);
  /** Every factor's verifier (decision 027): the flows below check proofs through these only. */
  const factors = createFactors({
    store,
    secretBox,
    hasher,
    recoveryCodeHasher,
    verification,
    rp: relyingPartyFor(input.config.publicUrl, input.config.issuer),
    random,
    audit,
    notify,
  });
  const recoveryCodes = createRecoveryCodesService({
    store,
    hasher: recoveryCodeHasher,
    random,
    clock,
    audit,
    notify,
  });
  const sessions = createSessionsService({
    store,
    audit,
    clock,
    random,
    settings: {
      idleSeconds: input.config.sessionIdleSeconds,
      absoluteSeconds: input.config.sessionAbsoluteSeconds,
      stepUpMaxAgeSeconds: input.config.stepUpMaxAgeSeconds,
    },
  });
  const logins = createLoginService({
    store,
    hasher,
    audit,
    factors,
    clock,
    random,
    notify,
    sessions,
    recoveryEffects,
    passwordless: input.config.passwordless,
  });
  const stepUp = createStepUpService({
    store,
    clock,
    verification,
    maxAgeSeconds: input.config.stepUpMaxAgeSeconds,
    factors,
    verifiers: createStepUpVerifiers({
      store,
      clock,
      audit,
      factors,
      sessions,
      recoveryEffects,
    }),
  });
  const enrollment = createEnrollmentService({
    store,
    secretBox,
    audit,
    notify,
    sessions,
    stepUp,
    clock,
    random,
    issuer: input.config.issuer,
    activationCodes: input.config.mfaActivationCodes,
    recoveryCodes,
    factors,
  });
  const devices = createDeviceService({
    store,
    secretBox,
    audit,
    notify,
    factors,
    stepUp,
    clock,
  });
  /** "Forgot password?": a single-use link by e-mail (also sent by an administrator). */
  const passwordResets = createPasswordResetService({
    store,
    hasher,
    audit,
    notify,
    clock,
    random,
    secretBox,
    issuer: input.config.issuer,
    publicUrl: input.config.publicUrl,
    onQueued: () => delivery.markDirty(),
    logError: (error) => logger.warn({ error: (error as Error).message }, 'password reset mail failed'),
  });
  const oidcAdapter = createOidcAdapter({ store, audit, clock });
  /** Webhooks (decision 032): endpoints, and the worker that sends the outbox the audit trigger fills. */
  const webhooks = createWebhooks({
    store,
    audit,
    notify,
    clock,
    random,
    secretBox,
    stepUp,
    allowPrivate: input.config.webhooksAllowPrivate,
    logger,
    ...(input.webhookNetwork ? { network: input.webhookNetwork } : {}),
  });
  const apiTokens = createApiTokensService({ store, audit, notify, clock, random, stepUp, logger });
  return {
    clock,
    store,
    metrics,
    /** GET /readyz: database reachable, schema current, not shutting down. */
    health: createHealthCheck({ ...input.health, timeoutMs: 2000 }),
    delivery,
    /** Hourly removal of expired challenges, codes, enrollments and old sessions (started by `serve`). */
    housekeeping: createHousekeeper({
      store,
      clock,
      logger,
      evidenceRetentionMs: input.config.recoveryEvidenceDays * 24 * 3600_000,
    }),
    /** Applies lost-device tickets whose cooling-off period is over (started by `serve`, at start and every 15 s). */
    recoveryScheduler: createRecoveryScheduler({ store, effects: recoveryEffects, clock, logger }),
    /** Real-name records: the owner's (PUT/GET /me/real-name) and the operators' review. */
    realNames: createRealNamesService({ store, clock, secretBox, audit, notify, stepUp }),
    /** Lost-device tickets, the applicant's side: e-mail code, ticket, status, cancel link. */
    recoveryTickets: createRecoveryTicketsService({
      store,
      clock,
      random,
      secretBox,
      audit,
      verification,
      effects: recoveryEffects,
      issuer: input.config.issuer,
      perAddressHour: input.config.codeSendsPerAddressHour,
      logError: (error) => logger.warn({ error: (error as Error).message }, 'recovery code mail failed'),
    }),
    /** Lost-device tickets, the operators' side (/support): queue, evidence, four-eyes approval. */
    support: createSupportService({
      store,
      clock,
      secretBox,
      audit,
      notify,
      stepUp,
      effects: recoveryEffects,
      coolingOffSeconds: input.config.recoveryCoolingOffSeconds,
    }),
    mailTransport: transport.kind,
    users: createUsersService({
      store,
      hasher,
      audit,
      enrollment,
      devices,
      stepUp,
      clock,
      random,
      notify,
      passwordResets,
    }),
    workspaces: createWorkspacesService({ store, audit, devices, stepUp, notify, clock, random }),
    verification,
    accounts: createAccountsService({
      store,
      hasher,
      audit,
      clock,
      random,
      signupOpen: input.config.signupOpen,
      signupsPerAddressHour: input.config.signupsPerAddressHour,
      stepUp,
      notify,
      recoveryEffects,
    }),
    sessions,
    /** Logging in: the password step, then the dynamic code or a recovery code. */
    logins,
    /** Step-up for sensitive operations: methods, freshness, POST /me/step-up. */
    stepUp,
    /** Account protection scenarios (docs/design.md F10). */
    protection: createProtectionService({ store, clock, audit, verification, stepUp }),
    /** Binding a device (for oneself or a sub-user). */
    enrollment,
    /** The bound device: status, unbind, admin reset, resync. */
    devices,
    /** "Forgot password?": a single-use link by e-mail. */
    passwordResets,
    /** Where one is signed in: list, sign one out, sign out everywhere else (step-up). */
    mySessions: {
      list: sessions.list,
      endOne: sessions.endOne,
      endOthers: (principal: Principal, meta: RequestMeta) => sessions.endOthers(principal, meta, stepUp),
    },
    /** Recovery codes: how many are left, a new set (step-up). */
    recoveryCodes: {
      status: recoveryCodes.status,
      neverHandedOut: recoveryCodes.neverHandedOut,
      regenerate: (principal: Principal, meta: RequestMeta) => recoveryCodes.regenerate(principal, meta, stepUp),
    },
    operator: createOperatorService({ store, hasher, audit, clock, random, notify }),
    profile: createProfileQuery({ store }),
    /** The dev outbox: every queued message, newest first (the route exists in dev mode only). */
    outbox: async (to?: string) =>
      (await store.repos.messages.list({ to: to?.trim(), limit: 200 })).map((m) => ({
        id: m.id,
        channel: m.channel,
        to: m.to_address,
        subject: m.subject,
        text: messageBody(secretBox, m).text,
        at: new Date(m.created_at).toISOString(),
        kind: m.kind,
        status: m.status,
        attempts: m.attempts,
        lastError: m.last_error,
      })),
    auditQuery: createAuditQuery({ store }),
    /** Webhook endpoints of the primary account and their delivery worker (started by `serve`). */
    webhooks,
    /** API tokens (decision 031): create, list, revoke, and who a `tfk_…` bearer is. */
    apiTokens,
    /** twofold as an OpenID Provider (decision 029): applications, who may sign in, storage, keys. */
    oidc: {
      clients: createOidcClientsService({ store, audit, clock, random, stepUp }),
      signIn: createOidcSignIn({ store, clock, audit }),
      Adapter: oidcAdapter,
      grants: { find: (userId: string, clientId: string) => oidcAdapter.findGrant(userId, clientId) },
      /** Signing out of the console ends the provider's session in the same browser. */
      endProviderSession: (id: string) => oidcAdapter.endSession(id),
      keys: createSigningKeys({ store, secretBox, clock, random, audit }),
      operator: createOidcOperatorClients({ store, audit, clock, random }),
    },
  };
}
export type Services = Awaited<ReturnType<typeof createServices>>;
