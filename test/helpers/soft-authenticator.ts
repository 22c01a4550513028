/**
 * A software WebAuthn authenticator (plus the bit of the browser's client that builds
 * clientDataJSON) for integration tests: ES256 (P-256) keys, "none" attestation, every credential
 * discoverable, transports ['internal'], attachment 'platform'. It speaks the JSON shapes that
 * @simplewebauthn/browser's startRegistration()/startAuthentication() return, so its output can be
 * POSTed to the server exactly as a browser's would. Written from the specifications, not from
 * @simplewebauthn/server, so tests do not grade the server library with itself. Only node:crypto.
 *
 * Byte layouts follow W3C Web Authentication Level 3:
 * - §6.1 authenticator data: rpIdHash (SHA-256 of the RP ID, 32) || flags (1: UP 0x01, UV 0x04,
 *   BE 0x08, BS 0x10, AT 0x40, ED 0x80) || signCount (uint32 big-endian) || [attested credential
 *   data, §6.5.2: AAGUID (16, zeros here) || credentialIdLength (uint16 BE) || credentialId ||
 *   credentialPublicKey (COSE_Key, CBOR)], no extensions.
 * - §6.5.4 attestation object: the CBOR map {"fmt": "none", "attStmt": {}, "authData": bytes}
 *   (§8.7 None attestation), keys in CTAP2 canonical order.
 * - §5.8.1 client data: JSON {type, challenge, origin, crossOrigin} serialized in that order
 *   (§5.8.1.1), type "webauthn.create" or "webauthn.get", challenge the options' base64url string.
 * - §6.3.3 / §7.2 step 20: the assertion signature is over authenticatorData || SHA-256(clientDataJSON),
 *   ECDSA P-256 with SHA-256, DER-encoded (§6.5.5 signature formats).
 * - COSE_Key for ES256 per RFC 9053 §7.1 (EC2) and §2.1 (ES256):
 *   {1 (kty): 2 (EC2), 3 (alg): -7 (ES256), -1 (crv): 1 (P-256), -2 (x): 32 bytes, -3 (y): 32 bytes}.
 * CBOR (RFC 8949) is hand-encoded: only unsigned/negative ints, byte/text strings and maps occur.
 *
 * API:
 *   const auth = createSoftAuthenticator({ origin: 'http://localhost:3000' });
 *   const reg = auth.register(creationOptionsJSON);              // RegistrationResponseJSON
 *   const asn = auth.authenticate(requestOptionsJSON, { ... });  // AuthenticationResponseJSON
 *   auth.credentials();                                           // what it holds
 *   other.importCredential(auth.exportCredential(reg.id));        // copy a key to another device
 * Responses are plain JSON objects: keep one and send it again to test a replay.
 * Where a browser would refuse (no credential, excluded credential, ES256 not offered) it throws an
 * Error whose name is the DOMException name a browser would use (NotAllowedError, InvalidStateError,
 * NotSupportedError). It never refuses for policy reasons (userVerification 'required' with
 * userVerified false still answers, with UV clear), so tests can check that the server refuses.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomInt,
  randomBytes,
  sign,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

export interface SoftAuthenticatorOptions {
  /** The origin the "browser" puts in clientDataJSON, e.g. 'http://localhost:3000'. */
  origin: string;
  /** An RP ID to hash into authenticator data instead of the options' (to test a wrong RP ID). */
  rpId?: string;
  /** Set the UV flag (default true). */
  userVerified?: boolean;
  /** Set BE and BS (a synced, backed-up passkey); default false (single-device). */
  backupEligible?: boolean;
  /** The sign counter a new credential starts at (default 0). */
  initialCounter?: number;
}

export interface RegisterOverrides {
  userVerified?: boolean;
  origin?: string;
  /** RP ID hashed into authenticator data (the credential is still stored under options.rp.id). */
  rpId?: string;
  /** Sign counter of the new credential (default: the authenticator's initialCounter). */
  counter?: number;
}

export interface AuthenticateOverrides {
  /** Use this credential (base64url id), whatever allowCredentials says; it must be held. */
  credentialId?: string;
  /** Put this signCount in authenticator data; the stored counter is then left unchanged. */
  counter?: number;
  userVerified?: boolean;
  origin?: string;
  /** RP ID hashed into authenticator data; the credential is still looked up by the request's RP ID. */
  rpId?: string;
}

/** A held credential, as credentials() lists it (no private key). */
export interface SoftCredentialInfo {
  /** base64url credential id */
  id: string;
  rpId: string;
  /** base64url user handle (options.user.id at registration) */
  userHandle: string;
  /** the stored sign counter: the last unforced assertion's signCount, or the initial one */
  counter: number;
  /** base64url COSE_Key, as the server stores it */
  publicKey: string;
  backupEligible: boolean;
}

/** A credential with its private key (PKCS#8 DER, base64url), for exportCredential/importCredential. */
export interface SoftCredentialExport extends SoftCredentialInfo {
  privateKey: string;
}

interface StoredCredential {
  id: Buffer;
  rpId: string;
  userHandle: Buffer;
  counter: number;
  privateKey: KeyObject;
  cosePublicKey: Buffer;
  backupEligible: boolean;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;
const COSE_ALG_ES256 = -7;
const AAGUID_NONE = Buffer.alloc(16);

export class SoftAuthenticator {
  readonly #options: SoftAuthenticatorOptions;
  readonly #held: StoredCredential[] = [];

  constructor(options: SoftAuthenticatorOptions) {
    this.#options = options;
  }

  /** navigator.credentials.create(): a new ES256 credential, "none" attestation. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: RegisterOverrides = {},
  ): RegistrationResponseJSON {
    const origin = overrides.origin ?? this.#options.origin;
    const rpId = options.rp.id ?? new URL(origin).hostname;
    if (!options.pubKeyCredParams.some((p) => p.type === 'public-key' && p.alg === COSE_ALG_ES256)) {
      throw domError('NotSupportedError', 'the options do not offer ES256 (-7)');
    }
    for (const excluded of options.excludeCredentials ?? []) {
      if (this.#held.some((c) => c.rpId === rpId && c.id.equals(fromB64u(excluded.id)))) {
        throw domError('InvalidStateError', 'this authenticator holds a credential in excludeCredentials');
      }
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: StoredCredential = {
      id: randomBytes(randomInt(16, 33)),
      rpId,
      userHandle: fromB64u(options.user.id),
      counter: overrides.counter ?? this.#options.initialCounter ?? 0,
      privateKey,
      cosePublicKey: coseEs256Key(publicKey),
      backupEligible: this.#options.backupEligible ?? false,
    };
    this.#held.push(credential);

    const userVerified = overrides.userVerified ?? this.#options.userVerified ?? true;
    const attested = Buffer.concat([
      AAGUID_NONE,
      uint16(credential.id.length),
      credential.id,
      credential.cosePublicKey,
    ]);
    const authData = authenticatorData(
      overrides.rpId ?? this.#options.rpId ?? rpId,
      FLAG_AT | this.#flags(userVerified, credential),
      credential.counter,
      attested,
    );
    const attestationObject = cborMap([
      [cborText('fmt'), cborText('none')],
      [cborText('attStmt'), cborMap([])],
      [cborText('authData'), cborBytes(authData)],
    ]);
    const clientDataJSON = clientData('webauthn.create', options.challenge, origin);
    const id = b64u(credential.id);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientDataJSON),
        attestationObject: b64u(attestationObject),
        transports: ['internal'],
        publicKeyAlgorithm: COSE_ALG_ES256,
        publicKey: b64u(publicKey.export({ format: 'der', type: 'spki' })),
        authenticatorData: b64u(authData),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * navigator.credentials.get(): an assertion. The credential is overrides.credentialId, else the
   * first held credential in allowCredentials, else (discoverable) the first one registered for the
   * request's RP ID (options.rpId, else the origin's host). Increments that credential's counter.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: AuthenticateOverrides = {},
  ): AuthenticationResponseJSON {
    const origin = overrides.origin ?? this.#options.origin;
    const rpId = options.rpId ?? new URL(origin).hostname;
    const credential = this.#choose(rpId, options, overrides.credentialId);

    let counter: number;
    if (overrides.counter === undefined) {
      credential.counter += 1;
      counter = credential.counter;
    } else {
      counter = overrides.counter;
    }
    const userVerified = overrides.userVerified ?? this.#options.userVerified ?? true;
    const authData = authenticatorData(
      overrides.rpId ?? this.#options.rpId ?? rpId,
      this.#flags(userVerified, credential),
      counter,
    );
    const clientDataJSON = clientData('webauthn.get', options.challenge, origin);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]),
      credential.privateKey, // EC keys sign DER (dsaEncoding 'der') by default
    );
    const id = b64u(credential.id);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: b64u(credential.userHandle),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** The credentials this authenticator holds, oldest first. */
  credentials(): SoftCredentialInfo[] {
    return this.#held.map(info);
  }

  /** A held credential with its private key, as plain JSON (e.g. to import into another authenticator). */
  exportCredential(id: string): SoftCredentialExport {
    const credential = this.#find(id);
    if (!credential) throw new Error(`no credential ${id}`);
    return {
      ...info(credential),
      privateKey: b64u(credential.privateKey.export({ format: 'der', type: 'pkcs8' })),
    };
  }

  /** Hold a credential exported elsewhere (replaces one with the same id). Its counter carries over. */
  importCredential(exported: SoftCredentialExport): void {
    const privateKey = createPrivateKey({ key: fromB64u(exported.privateKey), format: 'der', type: 'pkcs8' });
    const credential: StoredCredential = {
      id: fromB64u(exported.id),
      rpId: exported.rpId,
      userHandle: fromB64u(exported.userHandle),
      counter: exported.counter,
      privateKey,
      cosePublicKey: coseEs256Key(createPublicKey(privateKey)),
      backupEligible: exported.backupEligible,
    };
    const index = this.#held.findIndex((c) => c.id.equals(credential.id));
    if (index >= 0) this.#held[index] = credential;
    else this.#held.push(credential);
  }

  #find(id: string): StoredCredential | undefined {
    const raw = fromB64u(id);
    return this.#held.find((c) => c.id.equals(raw));
  }

  #choose(
    rpId: string,
    options: PublicKeyCredentialRequestOptionsJSON,
    credentialId: string | undefined,
  ): StoredCredential {
    if (credentialId !== undefined) {
      const forced = this.#find(credentialId);
      if (!forced) throw domError('NotAllowedError', `this authenticator does not hold ${credentialId}`);
      return forced;
    }
    const allowed = options.allowCredentials ?? [];
    const chosen =
      allowed.length > 0
        ? allowed.map((d) => this.#find(d.id)).find((c): c is StoredCredential => c !== undefined && c.rpId === rpId)
        : this.#held.find((c) => c.rpId === rpId);
    if (!chosen) throw domError('NotAllowedError', `no credential for RP ID ${rpId}`);
    return chosen;
  }

  #flags(userVerified: boolean, credential: StoredCredential): number {
    return FLAG_UP | (userVerified ? FLAG_UV : 0) | (credential.backupEligible ? FLAG_BE | FLAG_BS : 0);
  }
}

/** A new, empty software authenticator; see the header comment. */
export function createSoftAuthenticator(options: SoftAuthenticatorOptions): SoftAuthenticator {
  return new SoftAuthenticator(options);
}

function info(c: StoredCredential): SoftCredentialInfo {
  return {
    id: b64u(c.id),
    rpId: c.rpId,
    userHandle: b64u(c.userHandle),
    counter: c.counter,
    publicKey: b64u(c.cosePublicKey),
    backupEligible: c.backupEligible,
  };
}

/** WebAuthn L3 §6.1 */
function authenticatorData(rpId: string, flags: number, signCount: number, attested?: Buffer): Buffer {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount);
  return Buffer.concat([
    createHash('sha256').update(rpId, 'utf8').digest(),
    Buffer.of(flags),
    counter,
    attested ?? Buffer.alloc(0),
  ]);
}

/** WebAuthn L3 §5.8.1; JSON.stringify keeps insertion order, which is §5.8.1.1's order. */
function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** RFC 9053 §7.1 EC2 key, ES256, P-256; x and y from the JWK (fixed 32 bytes each). */
function coseEs256Key(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const x = fromB64u(jwk.x!);
  const y = fromB64u(jwk.y!);
  if (x.length !== 32 || y.length !== 32) throw new Error('not a P-256 public key');
  return cborMap([
    [cborInt(1), cborInt(2)], // kty: EC2
    [cborInt(3), cborInt(COSE_ALG_ES256)], // alg: ES256
    [cborInt(-1), cborInt(1)], // crv: P-256
    [cborInt(-2), cborBytes(x)],
    [cborInt(-3), cborBytes(y)],
  ]);
}

// --- Minimal CBOR encoder (RFC 8949 §3: major type in the top 3 bits, length/value after) ---

function cborHead(major: number, value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`CBOR: ${value}`);
  if (value < 24) return Buffer.of((major << 5) | value);
  if (value < 0x100) return Buffer.of((major << 5) | 24, value);
  if (value < 0x10000) return Buffer.concat([Buffer.of((major << 5) | 25), uint16(value)]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(value, 1);
  return b;
}

function cborInt(n: number): Buffer {
  return n >= 0 ? cborHead(0, n) : cborHead(1, -1 - n);
}

function cborBytes(bytes: Buffer): Buffer {
  return Buffer.concat([cborHead(2, bytes.length), bytes]);
}

function cborText(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([cborHead(3, bytes.length), bytes]);
}

/** Entries are written in the order given (callers give CTAP2 canonical order). */
function cborMap(entries: [Buffer, Buffer][]): Buffer {
  return Buffer.concat([cborHead(5, entries.length), ...entries.flat()]);
}

function uint16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function fromB64u(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

function domError(name: 'NotAllowedError' | 'InvalidStateError' | 'NotSupportedError', message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
