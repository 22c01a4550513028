import type { Config } from './config/config.js';
import type { Database } from './db/database.js';
import { createStore } from './db/repositories/index.js';
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

export type ServiceConfig = Pick<Config, 'secretKeys' | 'signupOpen' | 'sessionIdleSeconds' | 'sessionAbsoluteSeconds' | 'stepUpMaxAgeSeconds' | 'issuer' | 'mfaActivationCodes'>;

/** The composition root of the domain: one place wires repositories into services (DESIGN.md §3). */
export async function createServices(input: { db: Database; dbKind: 'sqlite' | 'postgres'; config: ServiceConfig; clock?: Clock; random?: RandomBytes; hasher?: PasswordHasher }) {
  const clock = input.clock ?? systemClock;
  const random = input.random ?? systemRandom;
  const hasher = input.hasher ?? (await createPasswordHasher());
  const store = createStore(input.db, input.dbKind);
  const secretBox = createSecretBox(input.config.secretKeys, random);
  const audit = createAuditRecorder({ random });
  const checkSecondFactor = createSecondFactorChecker({ secretBox });
  const sessions = createSessionsService({
    store, hasher, audit, checkSecondFactor, clock, random,
    settings: { idleSeconds: input.config.sessionIdleSeconds, absoluteSeconds: input.config.sessionAbsoluteSeconds, stepUpMaxAgeSeconds: input.config.stepUpMaxAgeSeconds },
  });
  return {
    clock,
    store,
    accounts: createAccountsService({ store, hasher, audit, clock, random, signupOpen: input.config.signupOpen }),
    sessions,
    mfa: createMfaService({
      store, secretBox, hasher, audit, checkSecondFactor, sessions, clock, random,
      issuer: input.config.issuer, activationCodes: input.config.mfaActivationCodes, stepUpMaxAgeSeconds: input.config.stepUpMaxAgeSeconds,
    }),
    operator: createOperatorService({ store, hasher, audit, clock, random }),
    profile: createProfileQuery({ store }),
    auditQuery: createAuditQuery({ store }),
  };
}
export type Services = Awaited<ReturnType<typeof createServices>>;
