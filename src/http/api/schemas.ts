import { Type, type TSchema } from '@sinclair/typebox';
import { errorCatalogue } from '../../errors/codes.js';

/** API.md: a TOTP code is a string of 6 ASCII digits; anything else is 400 validation.failed. */
export const TotpCode = Type.String({
  pattern: '^[0-9]{6}$',
  description: '6 ASCII digits from the authenticator app',
});
/** A recovery code as people type it: case, spaces and dashes do not matter (checked by the domain). */
export const RecoveryCode = Type.String({
  minLength: 10,
  maxLength: 24,
  description: 'A recovery code, e.g. 7KQ4M-Z2P9X',
});
export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
export const Password = Type.String({ minLength: 8, maxLength: 256 });
export const OpaqueId = Type.String({ minLength: 1, maxLength: 128 });
export const IsoTime = Type.String({ format: 'date-time' });

/** Every error answer has this one shape (`components.schemas.ErrorResponse`), its code from the closed catalogue. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ enum: Object.keys(errorCatalogue), description: 'Stable error code (docs/errors.md)' }),
      message: Type.String(),
      retryAfterSeconds: Type.Optional(Type.Integer()),
      methods: Type.Optional(Type.Array(Type.String())),
      hint: Type.Optional(Type.String()),
      operation: Type.Optional(Type.String()),
      reason: Type.Optional(Type.String()),
      scope: Type.Optional(Type.String()),
      fields: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    }),
  },
  { $id: 'ErrorResponse', description: 'An error: a stable code and a message for people' },
);

export const PublicUserSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('root'), Type.Literal('sub')]),
  email: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  displayName: Type.String(),
});

export const SessionSchema = Type.Object({
  token: Type.String(),
  expiresAt: IsoTime,
  restricted: Type.Optional(Type.Boolean()),
});
export const DeviceSchema = Type.Object({ id: Type.String(), boundAt: IsoTime });
/** A device in the list (API.md "MFA devices and passkeys"): never a secret, key or counter. */
export const DeviceView = Type.Object({
  id: Type.String(),
  type: Type.Union([Type.Literal('totp'), Type.Literal('webauthn')]),
  name: Type.String(),
  boundAt: IsoTime,
  lastUsedAt: Type.Union([IsoTime, Type.Null()]),
});
/** A name people read in mails and the audit log: something visible, no control, format or line characters. */
export const DEVICE_NAME_PATTERN = '^(?=.*\\S)[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+$';
export const DeviceName = Type.String({ minLength: 1, maxLength: 64, pattern: DEVICE_NAME_PATTERN });
/** The same rule for code that checks a name itself: Unicode property escapes need the `u` flag (Ajv sets it). */
export const deviceNameRule = new RegExp(DEVICE_NAME_PATTERN, 'u');

const B64Url = (maxLength: number) => Type.String({ maxLength, pattern: '^[A-Za-z0-9_-]*={0,2}$' });
/**
 * The JSON form of a WebAuthn response (W3C WebAuthn Level 3 §5.1, `toJSON()`; @simplewebauthn's
 * RegistrationResponseJSON / AuthenticationResponseJSON): every field bounded, so a malformed one is a
 * 400, never a library error.
 */
export const WebauthnCredential = Type.Object(
  {
    id: B64Url(1400),
    rawId: B64Url(1400),
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: B64Url(4096),
        attestationObject: Type.Optional(B64Url(16384)),
        authenticatorData: Type.Optional(B64Url(8192)),
        signature: Type.Optional(B64Url(2048)),
        userHandle: Type.Optional(B64Url(512)),
        publicKey: Type.Optional(B64Url(4096)),
        publicKeyAlgorithm: Type.Optional(Type.Integer()),
        transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 })),
      },
      { additionalProperties: false },
    ),
    clientExtensionResults: Type.Object({}, { additionalProperties: true, maxProperties: 16 }),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
/** WebAuthn options as the browser's `PublicKeyCredential.parse*OptionsFromJSON` reads them. */
export const WebauthnOptions = Type.Object({}, { additionalProperties: true });

/** Every route lists its error statuses; they all share the error shape. */
/** What each error status means across the API; the code in the body says exactly which refusal. */
const errorDescriptions: Record<number, string> = {
  400: 'The request is not valid (validation.failed, request.invalid_json)',
  401: 'Not logged in, a wrong code or password, or a fresh step-up is needed (auth.step_up_required)',
  403: 'Not allowed for this caller (auth.forbidden), or the session may only bind a device',
  404: 'No such thing for this caller',
  409: 'Conflicts with the current state (already bound, taken)',
  410: 'Expired (a pending login or binding)',
  413: 'The body is larger than 64 KiB',
  415: 'The body is not application/json',
  422: 'Understood but refused (a wrong activation code, an unreachable channel)',
  429: 'Too many attempts: wait for Retry-After',
  503: 'The database cannot answer now: try again after Retry-After; nothing was changed',
};

/** Every route lists its error statuses; they all share the one error schema. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    [...statuses, 503].map((s) => [
      s,
      { description: errorDescriptions[s] ?? 'An error', $ref: 'ErrorResponse#' } as unknown as TSchema,
    ]),
  );
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
