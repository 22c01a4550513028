import { createHmac } from 'node:crypto';
import type { RandomBytes } from '../../crypto/random.js';

/**
 * Standard Webhooks v1 signing (https://www.standardwebhooks.com, spec "Signature scheme"): the
 * secret is `whsec_` + base64 of 24 to 64 random bytes (we use 32); the signature is
 * `v1,` + base64(HMAC-SHA256(secret bytes, "{webhook-id}.{webhook-timestamp}.{body}")).
 */
export const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(random: RandomBytes): string {
  return `${SECRET_PREFIX}${random(32).toString('base64')}`;
}

export function signPayload(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * The `webhook-signature` header: one signature per secret, space-separated (spec: "multiple
 * signatures … to support zero-downtime secret rotation"), the newest secret first.
 */
export function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets.map((secret) => signPayload(secret, id, timestamp, body)).join(' ');
}
