import { createPublicKey, createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { createSoftAuthenticator, type SoftAuthenticator } from './helpers/soft-authenticator.js';

// The test authenticator checked against the real server library, with no server of ours:
// what @simplewebauthn/server v14 accepts and refuses from it.
const origin = 'http://localhost:3000';
const rpID = 'localhost';

async function registerOne(authenticator: SoftAuthenticator, userID = new Uint8Array([1, 2, 3, 4])) {
  const options = await generateRegistrationOptions({
    rpName: 'twofold',
    rpID,
    userName: 'ada@example.com',
    userID,
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  const response = authenticator.register(options);
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
  });
  if (!verification.verified) throw new Error('registration not verified');
  return { options, response, verification, credential: verification.registrationInfo.credential };
}

async function requestOptions(credential?: WebAuthnCredential) {
  return generateAuthenticationOptions({
    rpID,
    allowCredentials: credential ? [{ id: credential.id }] : undefined,
    userVerification: 'preferred',
  });
}

describe('soft authenticator against @simplewebauthn/server', () => {
  it('registers: verified, attestation none, the credential and key as the library records them', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const { options, response, verification, credential } = await registerOne(authenticator);
    const info = verification.registrationInfo!;
    expect(info.fmt).toBe('none');
    expect(info.aaguid).toBe('00000000-0000-0000-0000-000000000000');
    expect(info.userVerified).toBe(true);
    expect(info.credentialDeviceType).toBe('singleDevice');
    expect(info.credentialBackedUp).toBe(false);
    expect(info.origin).toBe(origin);
    expect(info.rpID).toBe(rpID);
    expect(credential.id).toBe(response.id);
    expect(credential.counter).toBe(0);
    expect(credential.transports).toEqual(['internal']);
    const held = authenticator.credentials();
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ id: response.id, rpId: rpID, userHandle: options.user.id, counter: 0 });
    // The library re-encodes the COSE key it parsed; it comes out byte-identical to ours.
    expect(Buffer.from(credential.publicKey).toString('base64url')).toBe(held[0]!.publicKey);
    const idLength = Buffer.from(response.id, 'base64url').length;
    expect(idLength).toBeGreaterThanOrEqual(16);
    expect(idLength).toBeLessThanOrEqual(32);
    expect(response.response.publicKeyAlgorithm).toBe(-7);
    expect(
      createPublicKey({ key: Buffer.from(response.response.publicKey!, 'base64url'), format: 'der', type: 'spki' })
        .asymmetricKeyType,
    ).toBe('ec');
  });

  it('backupEligible sets BE and BS: a multi-device, backed-up credential', async () => {
    const { verification } = await registerOne(createSoftAuthenticator({ origin, backupEligible: true }));
    expect(verification.registrationInfo!.credentialDeviceType).toBe('multiDevice');
    expect(verification.registrationInfo!.credentialBackedUp).toBe(true);
  });

  it('authenticates with allowCredentials and discoverably; the counter rises; userHandle is the user id', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const { options: creation, credential } = await registerOne(authenticator);
    let stored: WebAuthnCredential = credential;
    for (const allow of [true, false]) {
      const options = await requestOptions(allow ? stored : undefined);
      const response = authenticator.authenticate(options);
      expect(response.response.userHandle).toBe(creation.user.id);
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: stored,
      });
      expect(result.verified).toBe(true);
      expect(result.authenticationInfo.newCounter).toBe(stored.counter + 1);
      expect(result.authenticationInfo.userVerified).toBe(true);
      stored = { ...stored, counter: result.authenticationInfo.newCounter };
    }
    expect(stored.counter).toBe(2);
    expect(authenticator.credentials()[0]!.counter).toBe(2);
  });

  it('signs authenticatorData || SHA-256(clientDataJSON) with ES256 in DER', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const { response: registration } = await registerOne(authenticator);
    const response = authenticator.authenticate(await requestOptions());
    const data = Buffer.concat([
      Buffer.from(response.response.authenticatorData, 'base64url'),
      createHash('sha256').update(Buffer.from(response.response.clientDataJSON, 'base64url')).digest(),
    ]);
    const key = createPublicKey({
      key: Buffer.from(registration.response.publicKey!, 'base64url'),
      format: 'der',
      type: 'spki',
    });
    expect(verify('sha256', data, key, Buffer.from(response.response.signature, 'base64url'))).toBe(true);
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
    expect(Object.keys(clientData)).toEqual(['type', 'challenge', 'origin', 'crossOrigin']);
    expect(clientData.type).toBe('webauthn.get');
  });

  it('a counter not above the stored one is refused: a replayed assertion and a forced lower counter', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const { credential } = await registerOne(authenticator);
    const options = await requestOptions(credential);
    const captured = authenticator.authenticate(options);
    const verify = (response: typeof captured, counter: number) =>
      verifyAuthenticationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: { ...credential, counter },
      });
    expect((await verify(captured, 0)).verified).toBe(true);
    // The same assertion again, once the server has stored counter 1.
    await expect(verify(structuredClone(captured), 1)).rejects.toThrow(/counter value 1 was lower than expected 1/);
    authenticator.authenticate(options);
    authenticator.authenticate(options); // stored counter now 3
    const lowered = authenticator.authenticate(options, { counter: 2 });
    await expect(verify(lowered, 3)).rejects.toThrow(/counter value 2 was lower than expected 3/);
    expect(authenticator.credentials()[0]!.counter).toBe(3); // a forced counter leaves the stored one
  });

  it('refuses a wrong origin and a wrong RP ID, at registration and at authentication', async () => {
    const options = await generateRegistrationOptions({
      rpName: 'twofold',
      rpID,
      userName: 'ada',
      attestationType: 'none',
    });
    const wrongOrigin = createSoftAuthenticator({ origin: 'http://localhost:3001' }).register(options);
    await expect(
      verifyRegistrationResponse({
        response: wrongOrigin,
        expectedChallenge: options.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
      }),
    ).rejects.toThrow(/origin/);
    const wrongRp = createSoftAuthenticator({ origin, rpId: 'evil.example' }).register(options);
    await expect(
      verifyRegistrationResponse({
        response: wrongRp,
        expectedChallenge: options.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
      }),
    ).rejects.toThrow(/RP ID/);

    const authenticator = createSoftAuthenticator({ origin });
    const { credential } = await registerOne(authenticator);
    const request = await requestOptions(credential);
    const check = (response: ReturnType<SoftAuthenticator['authenticate']>) =>
      verifyAuthenticationResponse({
        response,
        expectedChallenge: request.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential,
      });
    await expect(check(authenticator.authenticate(request, { origin: 'https://evil.example' }))).rejects.toThrow(
      /origin/,
    );
    await expect(check(authenticator.authenticate(request, { rpId: 'evil.example' }))).rejects.toThrow(/RP ID/);
    expect((await check(authenticator.authenticate(request))).verified).toBe(true);
  });

  it('UV clear is refused when user verification is required, accepted when not', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const { credential } = await registerOne(authenticator);
    const request = await requestOptions(credential);
    const response = authenticator.authenticate(request, { userVerified: false });
    const base = {
      response,
      expectedChallenge: request.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential,
    };
    await expect(verifyAuthenticationResponse({ ...base, requireUserVerification: true })).rejects.toThrow(
      /User verification required/,
    );
    const lenient = await verifyAuthenticationResponse({ ...base, requireUserVerification: false });
    expect(lenient.verified).toBe(true);
    expect(lenient.authenticationInfo.userVerified).toBe(false);

    const options = await generateRegistrationOptions({ rpName: 'twofold', rpID, userName: 'ada' });
    const unverified = createSoftAuthenticator({ origin, userVerified: false }).register(options);
    await expect(
      verifyRegistrationResponse({
        response: unverified,
        expectedChallenge: options.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
      }),
    ).rejects.toThrow(/User verification was required/);
  });

  it("another user's key: an assertion with a copied credential does not verify against this user's key", async () => {
    const mine = createSoftAuthenticator({ origin });
    const theirs = createSoftAuthenticator({ origin });
    const { credential: myCredential } = await registerOne(mine, new Uint8Array([1]));
    const { response: theirRegistration, options: theirCreation } = await registerOne(theirs, new Uint8Array([2]));
    mine.importCredential(theirs.exportCredential(theirRegistration.id));
    expect(mine.credentials().map((c) => c.id)).toEqual([myCredential.id, theirRegistration.id]);

    const request = await requestOptions(myCredential);
    const forged = mine.authenticate(request, { credentialId: theirRegistration.id });
    expect(forged.id).toBe(theirRegistration.id);
    expect(forged.response.userHandle).toBe(theirCreation.user.id);
    // The library does not compare response.id with credential.id (the caller looks the credential
    // up by response.id); a signature by another key comes back verified: false, not as a throw.
    const result = await verifyAuthenticationResponse({
      response: forged,
      expectedChallenge: request.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: myCredential,
    });
    expect(result.verified).toBe(false);
  });

  it('refuses like a browser: excluded credential, nothing to assert with', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const { credential } = await registerOne(authenticator);
    const again = await generateRegistrationOptions({
      rpName: 'twofold',
      rpID,
      userName: 'ada',
      excludeCredentials: [{ id: credential.id }],
    });
    expect(() => authenticator.register(again)).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    const elsewhere = await generateAuthenticationOptions({ rpID: 'example.org' });
    expect(() => authenticator.authenticate(elsewhere)).toThrow(expect.objectContaining({ name: 'NotAllowedError' }));
    expect(() => createSoftAuthenticator({ origin }).authenticate(elsewhere)).toThrow(/no credential/);
  });
});
