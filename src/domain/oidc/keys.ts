import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import type { Store } from '../../db/repositories/index.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';

/**
 * How long a retired signing key stays in the JWKS: longer than any ID token it signed lives (1 h)
 * plus what a relying party may cache the JWKS for, so nothing it signed stops verifying early.
 */
export const RETIRED_KEY_KEPT_MS = 24 * 3600_000;

export interface SigningJwk extends JsonWebKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  use: 'sig';
}

const sealedFor = (kid: string) => `oidc-key:${kid}`;

/**
 * The ID-token signing keys (decision 029): an ES256 key (P-256, RFC 7518 §3.4) that signs by
 * default and an RS256 key (RFC 7518 §3.3) for relying parties that ask for it, stored sealed with
 * the instance key like TOTP secrets. Rotation adds a new pair; the old one keeps verifying for
 * RETIRED_KEY_KEPT_MS, then housekeeping removes it.
 */
export function createSigningKeys(deps: {
  store: Store;
  secretBox: SecretBox;
  clock: Clock;
  random: RandomBytes;
  audit: AuditRecorder;
}) {
  const { store, secretBox, clock, random } = deps;

  function newPair(now: number) {
    return (['ES256', 'RS256'] as const).map((alg) => {
      const { privateKey } =
        alg === 'ES256'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = random(12).toString('base64url');
      const jwk: SigningJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
      return {
        kid,
        alg,
        private_sealed: secretBox.seal(Buffer.from(JSON.stringify(jwk)), sealedFor(kid)),
        created_at: now,
        retired_at: null,
        expires_at: null,
      };
    });
  }

  return {
    /**
     * The keys to publish and sign with, signing keys first (the provider signs with the first key
     * of an algorithm): created on first use. Two instances starting at once may both create a
     * pair; both are published, and the newer signs.
     */
    async current(): Promise<SigningJwk[]> {
      const now = clock();
      let rows = (await store.repos.oidc.listKeys()).filter((k) => k.expires_at === null || k.expires_at > now);
      if (!rows.some((k) => k.retired_at === null)) {
        for (const row of newPair(now)) await store.repos.oidc.insertKey(row);
        rows = (await store.repos.oidc.listKeys()).filter((k) => k.expires_at === null || k.expires_at > now);
      }
      const order = (k: (typeof rows)[number]) => (k.retired_at === null ? 0 : 1);
      return [...rows]
        .sort((a, b) => order(a) - order(b) || b.created_at - a.created_at || (a.alg < b.alg ? -1 : 1))
        .map((k) => JSON.parse(secretBox.open(k.private_sealed, sealedFor(k.kid)).toString('utf8')) as SigningJwk);
    },

    /** A fingerprint of the key set: an instance rebuilds its provider when it changes. */
    async version(): Promise<string> {
      const now = clock();
      return (await store.repos.oidc.listKeys())
        .filter((k) => k.expires_at === null || k.expires_at > now)
        .map((k) => `${k.kid}:${k.retired_at ?? ''}`)
        .join(',');
    },

    /** `twofold oidc keys rotate`: a new pair signs from now on; the old ones verify for a day. */
    async rotate(): Promise<{ added: string[]; retired: string[] }> {
      const now = clock();
      const pair = newPair(now);
      return store.transaction(async (repos) => {
        const retired = (await repos.oidc.listKeys()).filter((k) => k.retired_at === null).map((k) => k.kid);
        await repos.oidc.retireKeys(retired, now, now + RETIRED_KEY_KEPT_MS);
        for (const row of pair) await repos.oidc.insertKey(row);
        await deps.audit(
          repos,
          {
            type: 'oidc.keys_rotated',
            accountId: null,
            userId: null,
            details: { added: pair.map((k) => k.kid).join(','), retired: retired.join(',') },
          },
          now,
        );
        return { added: pair.map((k) => k.kid), retired };
      });
    },

    /** `twofold oidc keys list`: what is published, without the private parts. */
    async list() {
      return (await store.repos.oidc.listKeys()).map((k) => ({
        kid: k.kid,
        alg: k.alg,
        createdAt: k.created_at,
        retiredAt: k.retired_at,
        expiresAt: k.expires_at,
      }));
    },
  };
}
export type SigningKeys = ReturnType<typeof createSigningKeys>;
