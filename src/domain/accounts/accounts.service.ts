import { publicDevice } from '../mfa/device.service.js';
import { AppError } from '../../errors/app-error.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Store } from '../../db/repositories/index.js';
import type { UsersTable } from '../../db/schema.js';
import { newId, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { Notifier } from '../notify/notifications.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import { recipientOf } from '../notify/recipients.js';
import type { RecoveryEffects } from '../recovery/effects.js';
import {
  canManageUsers,
  displayLogin,
  isOperator,
  loginName,
  normalizeEmail,
  OPERATOR_ROLE,
  publicUser,
} from '../users/user-views.js';
import { maskEmail, maskPhone } from '../verification/verification.service.js';
import { retryAfterSeconds, signupsPerAddressPolicy, throttleKeys, throttlePolicies } from '../throttle/policies.js';
import { reserveOrRefuse } from '../throttle/reserve.js';
import { retireOldPassword } from './password-changed.js';
import { checkNewPassword } from './password-rules.js';

const ALIAS_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function createAccountsService(deps: {
  store: Store;
  hasher: PasswordHasher;
  audit: AuditRecorder;
  clock: Clock;
  random: RandomBytes;
  signupOpen: boolean;
  /** Sign-ups one client address may make per hour. */
  signupsPerAddressHour: number;
  stepUp: Pick<StepUpService, 'requireFresh'>;
  notify: Notifier;
  recoveryEffects: Pick<RecoveryEffects, 'cancelOpen'>;
}) {
  const { store, clock, random } = deps;
  const signupsPerAddress = signupsPerAddressPolicy(deps.signupsPerAddressHour);

  /** The account alias sub-users log in with (`username@alias`): 10 characters, no look-alikes. */
  async function newAlias(): Promise<string> {
    for (;;) {
      const alias = [...random(10)].map((b) => ALIAS_ALPHABET[b % ALIAS_ALPHABET.length]).join('');
      if (!(await store.repos.users.aliasExists(alias))) return alias;
    }
  }

  /** The current password, throttled like a login (same key), so a session is no password oracle. */
  async function checkCurrentPassword(user: UsersTable, currentPassword: string | undefined, meta: RequestMeta) {
    if (currentPassword === undefined) {
      throw new AppError('validation.failed', (m) => m.accounts.currentPasswordRequired, {
        details: { fields: [{ path: '/currentPassword', message: 'is required with password' }] },
      });
    }
    const account = await store.repos.users.findAccountById(user.account_id);
    const key = throttleKeys.password(loginName(user, account?.alias ?? null));
    const now = clock();
    if (!(await store.transaction((repos) => repos.throttles.reserve(key, throttlePolicies.password, now)))) {
      const row = await store.repos.throttles.get(key);
      throw new AppError('auth.too_many_attempts', (m) => m.accounts.tooManyWrongPasswords, {
        details: { retryAfterSeconds: retryAfterSeconds(row?.locked_until ?? now, now) },
      });
    }
    const ok = await deps.hasher.verify(user.password_hash, currentPassword);
    if (ok) {
      await store.transaction((repos) => repos.throttles.reset(key));
      return;
    }
    await store.transaction((repos) =>
      deps.audit(
        repos,
        {
          type: 'stepup.failed',
          accountId: user.account_id,
          userId: user.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { method: 'current_password' },
        },
        clock(),
      ),
    );
    throw new AppError('auth.invalid_credentials', (m) => m.accounts.currentPasswordWrong);
  }

  /** A new primary account with its root user (sign-up, and `twofold operator create`). */
  async function createPrimaryAccount(
    input: {
      email: string;
      password: string;
      displayName?: string | undefined;
      phone?: string | undefined;
      /** The language the person signed up in, when not English: their e-mails come in it from the start. */
      locale?: 'zh-CN' | null | undefined;
    },
    options: { roles: string; mfaRequired: boolean },
    meta: RequestMeta,
  ) {
    const email = input.email.trim();
    const emailNormalized = normalizeEmail(email);
    if (await store.repos.users.rootEmailTaken(emailNormalized)) {
      throw new AppError('account.email_taken', (m) => m.accounts.emailTakenLogIn);
    }
    checkNewPassword(input.password);
    // The cheap refusals above cost nothing; what follows costs an Argon2id hash, so each address
    // gets TWOFOLD_SIGNUPS_PER_ADDRESS_HOUR of them (the CLI, with no address, is not counted).
    if (meta.ip)
      await reserveOrRefuse(
        store,
        throttleKeys.signupsPerAddress(meta.ip),
        signupsPerAddress,
        clock(),
        (details) => new AppError('auth.too_many_attempts', (m) => m.accounts.tooManySignUps, { details }),
      );
    // Hash outside the transaction: it takes ~15 ms on the thread pool and must not hold a write lock.
    const passwordHash = await deps.hasher.hash(input.password);
    const alias = await newAlias();
    const now = clock();
    const account = { id: newId(random), alias, created_at: now };
    const user: UsersTable = {
      id: newId(random),
      account_id: account.id,
      kind: 'root',
      email,
      email_normalized: emailNormalized,
      username: null,
      display_name: input.displayName?.trim() || email.split('@')[0]!,
      phone: input.phone ?? null,
      password_hash: passwordHash,
      created_at: now,
      disabled_at: null,
      roles: options.roles,
      mfa_required: options.mfaRequired ? 1 : 0,
      created_by: null,
      step_up_method: null,
      locale: input.locale ?? null,
    };
    try {
      await store.transaction(async (repos) => {
        await repos.users.insertAccount(account);
        await repos.users.insertUser(user);
        await deps.audit(
          repos,
          {
            type: 'account.created',
            accountId: account.id,
            userId: user.id,
            ip: meta.ip,
            userAgent: meta.userAgent,
            ...(options.roles ? { details: { roles: options.roles } } : {}),
          },
          now,
        );
      });
    } catch (error) {
      // Two sign-ups racing for one email: the unique index decides, the loser gets the same 409.
      if (isUniqueViolation(error))
        throw new AppError('account.email_taken', (m) => m.accounts.emailTakenLogIn, {
          cause: error,
        });
      throw error;
    }
    return { account: { id: account.id, alias: account.alias }, user: publicUser(user) };
  }

  return {
    /** The caller's own email and phone, for the profile page (GET /me carries no phone). */
    async contact(userId: string): Promise<{ email: string | null; phone: string | null }> {
      const user = await store.repos.users.findUserById(userId);
      return { email: user?.email ?? null, phone: user?.phone ?? null };
    },

    async signup(
      input: {
        email: string;
        password: string;
        displayName?: string | undefined;
        phone?: string | undefined;
        locale?: 'zh-CN' | null | undefined;
      },
      meta: RequestMeta,
    ) {
      if (!deps.signupOpen) throw new AppError('account.signup_closed', (m) => m.accounts.signUpClosed);
      return createPrimaryAccount(input, { roles: '', mfaRequired: false }, meta);
    },

    /**
     * `twofold operator create`: a support operator in an account of its own, which must bind a
     * device at its first login (issue 13) and keeps needing one (mfa_required).
     */
    createOperator: (input: { email: string; password: string; displayName?: string | undefined }) =>
      createPrimaryAccount(input, { roles: OPERATOR_ROLE, mfaRequired: true }, { ip: null, userAgent: null }),

    /**
     * PATCH /me. The display name is free; email, phone and password are sensitive operations
     * (docs/design.md §2.6). A new password ends the user's other sessions.
     */
    async updateSelf(
      principal: Principal,
      changes: {
        displayName?: string | undefined;
        email?: string | undefined;
        phone?: string | null | undefined;
        password?: string | undefined;
        currentPassword?: string | undefined;
        /** The console's and e-mails' language; null: the browser's (English in e-mails). */
        locale?: 'en' | 'zh-CN' | null | undefined;
      },
      meta: RequestMeta,
    ) {
      const user = await store.repos.users.findUserById(principal.userId);
      if (!user) throw new AppError('auth.unauthenticated', (m) => m.accounts.sessionEnded);
      if (
        changes.displayName === undefined &&
        changes.email === undefined &&
        changes.phone === undefined &&
        changes.password === undefined &&
        changes.locale === undefined
      ) {
        throw new AppError('validation.failed', (m) => m.accounts.nothingToChange, {
          details: { fields: [{ path: '/', message: 'needs at least one field to change' }] },
        });
      }
      if (changes.password !== undefined) checkNewPassword(changes.password);
      // Each sensitive field is its own documented operation (docs/sensitive-operations.md).
      if (changes.password !== undefined) await deps.stepUp.requireFresh(principal, 'account.change_password');
      if (changes.email !== undefined) await deps.stepUp.requireFresh(principal, 'account.change_email');
      if (changes.phone !== undefined) await deps.stepUp.requireFresh(principal, 'account.change_phone');
      // A new password needs the current one as well (OWASP Authentication CS "Change password"): a
      // step-up by an email code alone must not let a borrowed session take the account over.
      if (changes.password !== undefined) await checkCurrentPassword(user, changes.currentPassword, meta);
      const update: Parameters<Store['repos']['users']['updateUser']>[1] = {};
      if (changes.displayName !== undefined) update.display_name = changes.displayName.trim();
      if (changes.locale !== undefined) update.locale = changes.locale;
      if (changes.email !== undefined) {
        update.email = changes.email.trim();
        if (user.kind === 'root') {
          update.email_normalized = normalizeEmail(changes.email);
          if (
            update.email_normalized !== user.email_normalized &&
            (await store.repos.users.rootEmailTaken(update.email_normalized))
          ) {
            throw new AppError('account.email_taken', (m) => m.accounts.emailTaken);
          }
        }
      }
      if (changes.phone !== undefined) update.phone = changes.phone;
      if (changes.password !== undefined) update.password_hash = await deps.hasher.hash(changes.password);
      const now = clock();
      try {
        await store.transaction(async (repos) => {
          if (Object.keys(update).length > 0) await repos.users.updateUser(user.id, update);
          if (changes.password !== undefined) {
            await retireOldPassword(repos, user.id, now);
            await repos.sessions.endOthers(user.id, principal.sessionId, now, 'password_changed');
            // The same notice a reset sends: a changed password is news to its owner either way.
            await deps.notify(repos, recipientOf(user), { kind: 'account.password_changed' }, meta, now);
          }
          // The old address hears of the change (CS-Auth "Changing a user's registered email"): the
          // one signal a takeover cannot silence from inside the account.
          const newEmail = update.email;
          if (newEmail && user.email && newEmail.toLowerCase() !== user.email.toLowerCase()) {
            await deps.notify(
              repos,
              recipientOf(user),
              { kind: 'account.email_changed', newAddress: maskEmail(newEmail) },
              meta,
              now,
            );
          }
          // A change of email or phone cancels an open lost-device ticket (the channel-swap lesson,
          // decision 019): the ticket's notices went to the old channels.
          const emailChanged = !!newEmail && newEmail.toLowerCase() !== (user.email ?? '').toLowerCase();
          if (emailChanged || (update.phone !== undefined && update.phone !== user.phone))
            await deps.recoveryEffects.cancelOpen(repos, user, 'contact_change', meta, now);
          // Likewise a new phone number: the address on record and the old number hear of it.
          if (update.phone !== undefined && update.phone !== user.phone) {
            await deps.notify(
              repos,
              recipientOf(user),
              { kind: 'account.phone_changed', newNumber: update.phone ? maskPhone(update.phone) : null },
              meta,
              now,
              { smsTo: user.phone },
            );
          }
          const fields = Object.keys(changes)
            .filter((k) => k !== 'currentPassword' && changes[k as keyof typeof changes] !== undefined)
            .sort()
            .join(',');
          await deps.audit(
            repos,
            {
              type: 'account.updated',
              accountId: user.account_id,
              userId: user.id,
              ip: meta.ip,
              userAgent: meta.userAgent,
              details: { fields },
            },
            now,
          );
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppError('account.email_taken', (m) => m.accounts.emailTaken, { cause: error });
        throw error;
      }
      const updated = await store.repos.users.findUserById(user.id);
      return { user: publicUser(updated!) };
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;

/** GET /me: who the session belongs to, and whether a device is bound. */
export function createProfileQuery(deps: { store: Store }) {
  return async function profile(userId: string) {
    const user = await deps.store.repos.users.findUserById(userId);
    const account = user ? await deps.store.repos.users.findAccountById(user.account_id) : undefined;
    if (!user || !account) throw new AppError('auth.unauthenticated', (m) => m.accounts.sessionEnded);
    const devices = (await deps.store.repos.mfaDevices.listActive(userId)).map(publicDevice);
    return {
      user: publicUser(user),
      account: { id: account.id, alias: account.alias },
      /** For the console's navigation; the API response schema does not carry it. */
      canManageUsers: canManageUsers(user),
      /** Support operators see /support in the console. */
      isOperator: isOperator(user),
      loginName: displayLogin(user, account.alias),
      /** The language the person chose; null: the browser's. */
      locale: user.locale,
      // "The" device (the first bound) as before, and every device (API.md "MFA devices and passkeys").
      mfa: devices[0] ? { bound: true, device: devices[0], devices } : { bound: false, devices },
    };
  };
}
export type ProfileQuery = ReturnType<typeof createProfileQuery>;
