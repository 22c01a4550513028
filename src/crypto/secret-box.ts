import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { RandomBytes } from './random.js';

/**
 * AES-256-GCM for TOTP secrets at rest (docs/design.md §2.3, ASVS 5.0 11.3.2). The stored form is
 * `v1.<keyId>.<iv>.<ciphertext+tag>` so a key can be rotated: the first configured key encrypts,
 * every configured key decrypts. The associated data binds a ciphertext to its row, so a secret
 * copied onto another device row does not decrypt.
 */
export interface SecretBox {
  seal(plaintext: Buffer, associatedData: string): string;
  /**
   * The same sealed form, built from chunks as they arrive (an upload), so the plaintext is never
   * held whole: `update` each chunk, then `final` once.
   */
  sealer(associatedData: string): { update(chunk: Buffer): void; final(): string };
  open(sealed: string, associatedData: string): Buffer;
  readonly currentKeyId: string;
}

export function createSecretBox(keys: { id: string; key: Buffer }[], random: RandomBytes): SecretBox {
  if (keys.length === 0) throw new Error('createSecretBox needs at least one key');
  const current = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  function sealer(associatedData: string) {
    const iv = random(12);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const parts: Buffer[] = [];
    return {
      update: (chunk: Buffer) => void parts.push(cipher.update(chunk)),
      final: () => {
        parts.push(cipher.final(), cipher.getAuthTag());
        const body = Buffer.concat(parts);
        parts.length = 0;
        return `v1.${current.id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
      },
    };
  }
  return {
    currentKeyId: current.id,
    sealer,
    seal(plaintext, associatedData) {
      const sealing = sealer(associatedData);
      sealing.update(plaintext);
      return sealing.final();
    },
    open(sealed, associatedData) {
      const [version, keyId, ivText, bodyText] = sealed.split('.');
      const key = keyId === undefined ? undefined : byId.get(keyId);
      if (version !== 'v1' || !key || ivText === undefined || bodyText === undefined) {
        throw new Error(`cannot open sealed secret (version ${version}, key ${keyId}): key not configured`);
      }
      const body = Buffer.from(bodyText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(body.subarray(body.length - 16));
      const plaintext = decipher.update(body.subarray(0, body.length - 16));
      decipher.final(); // checks the tag (throws on a mismatch); GCM holds nothing back for it to return
      return plaintext;
    },
  };
}
