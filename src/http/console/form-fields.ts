import type { FastifyRequest } from 'fastify';
import { Value } from '@sinclair/typebox/value';
import { AppError } from '../../errors/app-error.js';
import { deviceNameRule, Email, TotpCode, WebauthnCredential } from '../api/schemas.js';
import { consoleError, type Catalogue } from './messages.js';

/**
 * Form fields as people type or paste them, checked with the API's own TypeBox formats so the
 * console and the API accept the same things; a refusal is a 400 with the field's own message.
 */

export type Form = Record<string, string>;

/** String fields of a posted form, each at most 1 KiB (anything else is ignored). */
export function formOf(request: FastifyRequest): Form {
  const body = request.body;
  const form: Form = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'string' && value.length <= 1024) form[key] = value;
    }
  }
  return form;
}

/**
 * A code as people type or paste it: authenticator apps show "218 604", some "218-604". Spaces and
 * dashes go; what is left must be the API's TotpCode (6 digits), or the field's own message.
 */
export function codeFrom(value: string | undefined, message?: string): string {
  const code = (value ?? '').replace(/[\s-]/g, '');
  if (!Value.Check(TotpCode, code))
    throw message === undefined
      ? consoleError('validation.failed', (t) => t.form.codeDigits)
      : new AppError('validation.failed', message);
  return code;
}

/** A recovery code field: something that could be one (the domain normalises and checks it). */
export function recoveryCodeFrom(value: string | undefined): string {
  const code = (value ?? '').trim();
  if (code.replace(/[\s-]/g, '').length !== 10)
    throw consoleError('validation.failed', (t) => t.recoveryCodes.required);
  return code;
}

/**
 * A passkey's answer as the passkey script posts it (the JSON of @simplewebauthn/browser's
 * startRegistration/startAuthentication), checked against the API's bounded schema. It is read from
 * the body itself: `formOf` keeps fields of at most 1 KiB, and an answer can be longer.
 */
export function credentialFrom<T>(request: FastifyRequest): T {
  const raw = (request.body as Record<string, unknown> | undefined)?.credential;
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' && raw.length > 0 && raw.length <= 32_768 ? JSON.parse(raw) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Value.Check(WebauthnCredential, parsed)) throw consoleError('validation.failed', (t) => t.passkeys.noAnswer);
  return parsed as T;
}

/** A device name as people type it: the API's DeviceName (1 to 64 printable characters, not only spaces). */
export function deviceNameFrom(value: string | undefined, optional = false): string | undefined {
  const name = (value ?? '').trim();
  if (!name && optional) return undefined;
  if (name.length > 64 || !deviceNameRule.test(name))
    throw consoleError('validation.failed', (t) => t.devices.nameRule);
  return name;
}

/** An email address in the API's format, or the form's message. */
export function emailFrom(value: string | undefined): string {
  const email = (value ?? '').trim();
  if (!Value.Check(Email, email)) throw consoleError('validation.failed', (t) => t.form.email);
  return email;
}

/** The text a step-up shows for the sensitive operation that asked for it, if it is a known one. */
export function purposeOfOperation(operation: string | undefined, t: Catalogue): string | undefined {
  return operation !== undefined && Object.hasOwn(t.stepUp.operations, operation)
    ? t.stepUp.operations[operation]
    : undefined;
}

/** Only same-site relative paths are followed after a step-up (no open redirect). */
export function safeNext(value: string | undefined, fallback = '/account/security'): string {
  return value && /^\/(?!\/)[A-Za-z0-9/_-]*$/.test(value) ? value : fallback;
}
