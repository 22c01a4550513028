import type { Store } from '../../db/repositories/index.js';
import type { RandomBytes } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { RecoveryCodeHasher } from '../../crypto/recovery-codes.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import type { VerificationService } from '../verification/verification.service.js';
import { createTotpFactor } from './totp.js';
import { createRecoveryCodeFactor } from './recovery-code.js';
import { createSentCodeFactor } from './sent-code.js';
import { createPasswordFactor } from './password.js';
import { createPasskeyFactor, type RelyingParty } from './passkey.js';

/**
 * Every factor, one verifier each (decision 027): the flows (login, step-up, unbind, passwordless
 * sign-in, a passkey's registration) call these to check a proof of an active factor. Each verifier
 * owns its budget, its matching, its replay guard, its failure audit, its lockout notice and its
 * error. An app's activation and resync match two consecutive codes against a new or drifting
 * secret instead; they use the same budget functions (budget.ts).
 */
export function createFactors(deps: {
  store: Store;
  secretBox: SecretBox;
  hasher: PasswordHasher;
  recoveryCodeHasher: RecoveryCodeHasher;
  verification: Pick<VerificationService, 'check'>;
  rp: RelyingParty;
  random: RandomBytes;
  audit: AuditRecorder;
  notify: Notifier;
}) {
  const { audit, notify } = deps;
  return {
    totp: createTotpFactor({ secretBox: deps.secretBox, audit, notify }),
    recoveryCode: createRecoveryCodeFactor({ hasher: deps.recoveryCodeHasher, audit, notify }),
    sentCode: createSentCodeFactor({ verification: deps.verification, audit, notify }),
    password: createPasswordFactor({ store: deps.store, hasher: deps.hasher }),
    passkey: createPasskeyFactor({ rp: deps.rp, random: deps.random, audit, notify }),
  };
}
export type Factors = ReturnType<typeof createFactors>;
