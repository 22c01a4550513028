import { Type, type TSchema } from '@sinclair/typebox';

/** API.md: a TOTP code is a string of 6 ASCII digits; anything else is 400 validation.failed. */
export const TotpCode = Type.String({
  pattern: '^[0-9]{6}$',
  description: '6 ASCII digits from the authenticator app',
});
export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
export const Password = Type.String({ minLength: 8, maxLength: 256 });
export const OpaqueId = Type.String({ minLength: 1, maxLength: 128 });
export const IsoTime = Type.String({ format: 'date-time' });

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    retryAfterSeconds: Type.Optional(Type.Integer()),
    methods: Type.Optional(Type.Array(Type.String())),
    hint: Type.Optional(Type.String()),
    operation: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    fields: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  }),
});

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

/** Every route lists its error statuses; they all share the error shape. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
