import type { QueryTarget } from '../prepared.js';
import { createAuditRepository } from './audit.repository.js';
import { createHousekeepingRepository } from './housekeeping.repository.js';
import { createMfaDevicesRepository } from './mfa-devices.repository.js';
import { createMessagesRepository } from './messages.repository.js';
import { createVerificationsRepository } from './verifications.repository.js';
import { createWorkspacesRepository } from './workspaces.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createThrottlesRepository } from './throttles.repository.js';
import { createUsersRepository } from './users.repository.js';
import { createRecoveryCodesRepository } from './recovery-codes.repository.js';
import { createRecoveryRepository } from './recovery.repository.js';
import { createOidcRepository } from './oidc.repository.js';
import { createMetricsRepository } from './metrics.repository.js';
import { createWebhooksRepository } from './webhooks.repository.js';
import { createApiTokensRepository } from './api-tokens.repository.js';

export function createRepositories(target: QueryTarget) {
  return {
    users: createUsersRepository(target),
    mfaDevices: createMfaDevicesRepository(target),
    sessions: createSessionsRepository(target),
    throttles: createThrottlesRepository(target),
    audit: createAuditRepository(target),
    messages: createMessagesRepository(target),
    verifications: createVerificationsRepository(target),
    workspaces: createWorkspacesRepository(target),
    housekeeping: createHousekeepingRepository(target),
    recoveryCodes: createRecoveryCodesRepository(target),
    recovery: createRecoveryRepository(target),
    oidc: createOidcRepository(target),
    metrics: createMetricsRepository(target),
    webhooks: createWebhooksRepository(target),
    apiTokens: createApiTokensRepository(target),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

/** Repositories plus a way to run several of their calls in one transaction. */
export interface Store {
  repos: Repositories;
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  /** Called after every successful commit (the mail worker uses it to send what was queued). */
  onCommit: (() => void) | null;
}
