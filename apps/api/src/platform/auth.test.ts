import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { importJWK, SignJWT } from 'jose';
import { apiAudienceOf, createTokenVerifier, issuerOf, mobileClientId, verifyAccessToken } from './auth.ts';
import { loadConfig } from './config.ts';
import { DomainError } from './errors.ts';
import { generateSigningKey, keyMaterialFrom } from './keys.ts';

const config = loadConfig({ NG_ENV: 'test', PUBLIC_URL: 'http://bank.test' });
const signingJwk = generateSigningKey();
const keys = keyMaterialFrom({ keys: [signingJwk] }, ['x'.repeat(32)]);

async function token(claims: Record<string, unknown>, expSeconds: number) {
  // Customer tokens are DPoP-bound: cnf.jkt names the app's key (the proof is checked per request, not here).
  const cnf = { jkt: 'k'.repeat(43) };
  return new SignJWT({ sub: 'cus_0123456789abcdefghjkmnpqrs', client_id: mobileClientId, cnf, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signingJwk.kid })
    .setIssuer(issuerOf(config))
    .setAudience(apiAudienceOf(config))
    .setIssuedAt(expSeconds - 600)
    .setExpirationTime(expSeconds)
    .setJti(randomBytes(8).toString('hex'))
    .sign(await importJWK(signingJwk, 'ES256'));
}

const refusedAs = (reason: string) => (error: unknown) =>
  error instanceof DomainError && error.code === 'invalid_token' && error.message.includes(reason);

describe('access-token verification', () => {
  it('refuses a remembered token once it expires', async () => {
    let nowMs = Date.UTC(2026, 10, 26, 12, 0, 0);
    const verifier = createTokenVerifier(config, keys, { now: () => nowMs });
    const verify = (t: string) => verifyAccessToken(verifier, t);
    const accessToken = await token({}, nowMs / 1000 + 60);
    assert.equal((await verify(accessToken)).subject, 'cus_0123456789abcdefghjkmnpqrs');
    nowMs += 30_000;
    assert.equal((await verify(accessToken)).kind, 'customer', 'still valid, from memory');
    nowMs += 36_000; // past exp + 5 s tolerance
    await assert.rejects(verify(accessToken), refusedAs('expired'));
    await assert.rejects(verify(accessToken), refusedAs('expired'));
  });

  it('checks the grant on every call, remembered or not', async () => {
    const revoked = new Set<string>();
    const verifier = createTokenVerifier(config, keys, { isGrantRevoked: async (gid) => revoked.has(gid) });
    const verify = (t: string) => verifyAccessToken(verifier, t);
    const accessToken = await token({ gid: 'grant-1' }, Math.floor(Date.now() / 1000) + 600);
    await verify(accessToken);
    revoked.add('grant-1');
    await assert.rejects(verify(accessToken), refusedAs('revoked'));
  });

  it('remembers the key a customer token is bound to, and refuses an unbound one', async () => {
    const verifier = createTokenVerifier(config, keys);
    const nowS = Math.floor(Date.now() / 1000);
    assert.equal((await verifier.verify(await token({}, nowS + 600))).keyThumbprint, 'k'.repeat(43));
    await assert.rejects(verifier.verify(await token({ cnf: undefined }, nowS + 600)), refusedAs('not DPoP-bound'));
  });

  it('never lets a token with a changed payload borrow a verified signature', async () => {
    const verifier = createTokenVerifier(config, keys);
    const verify = (t: string) => verifyAccessToken(verifier, t);
    const accessToken = await token({}, Math.floor(Date.now() / 1000) + 600);
    await verify(accessToken);
    const [header, , signature] = accessToken.split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'cus_zzzzzzzzzzzzzzzzzzzzzzzzzz', client_id: mobileClientId }),
    ).toString('base64url');
    await assert.rejects(verify(`${header}.${payload}.${signature}`), refusedAs('invalid'));
  });
});
