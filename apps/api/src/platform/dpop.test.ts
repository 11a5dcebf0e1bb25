import assert from 'node:assert/strict';
import { constants, sign as cryptoSign, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { createDpopKey } from '@nextgen/testkit';
import { calculateJwkThumbprint, SignJWT } from 'jose';
import { accessTokenHashOf, createDpopNonces, verifyDpopProof } from './dpop.ts';
import { DomainError } from './errors.ts';

const url = 'https://bank.example/api/v1/accounts';
const nowS = () => Math.floor(Date.now() / 1000);

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const strayBitFlipped = (char: string) => alphabet[alphabet.indexOf(char) ^ 1] as string;

const refused = (code: string, detail?: RegExp) => (error: unknown) =>
  error instanceof DomainError && error.code === code && (!detail || detail.test(error.message));

describe('DPoP proof verification', () => {
  it("names the proof's key by its RFC 7638 thumbprint, as jose computes it", async () => {
    const nonces = createDpopNonces(Buffer.alloc(32, 7));
    const key = createDpopKey();
    const proof = key.proof({ method: 'GET', url, accessToken: 't', nonce: nonces.next() });
    const verified = await verifyDpopProof(proof, { method: 'GET', url, accessToken: 't', nowS: nowS() }, nonces);
    assert.equal(verified.keyThumbprint, await calculateJwkThumbprint(key.publicJwk as never, 'sha256'));
    assert.equal(verified.keyThumbprint, key.thumbprint);
    assert.equal(verified.nonceAging, false);
  });

  it('accepts Ed25519 proofs and refuses RSA keys shorter than 2048 bits', async () => {
    const nonces = createDpopNonces(Buffer.alloc(32, 7));
    const claims = { htm: 'GET', htu: url, iat: nowS(), ath: accessTokenHashOf('hello'), nonce: nonces.next() };
    const sign = async (alg: string, pair: ReturnType<typeof generateKeyPairSync>) =>
      new SignJWT({ ...claims, jti: alg })
        .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: pair.publicKey.export({ format: 'jwk' }) as never })
        .sign(pair.privateKey);
    const expected = { method: 'GET', url, accessToken: 'hello', nowS: nowS() };
    const ed25519 = await sign('EdDSA', generateKeyPairSync('ed25519'));
    assert.match((await verifyDpopProof(ed25519, expected, nonces)).keyThumbprint, /^[\w-]{43}$/);
    // jose would not even sign with a 1024-bit key: sign by hand, as an attacker would.
    const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwk = weakRsa.publicKey.export({ format: 'jwk' });
    const input = `${encode({ alg: 'PS256', typ: 'dpop+jwt', jwk })}.${encode({ ...claims, jti: 'rsa' })}`;
    const signature = cryptoSign('sha256', Buffer.from(input), {
      key: weakRsa.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const weakProof = `${input}.${signature.toString('base64url')}`;
    await assert.rejects(verifyDpopProof(weakProof, expected, nonces), refused('invalid_dpop_proof'));
  });

  it('accepts a nonce of the last two minutes and refuses one from another secret', () => {
    let nowMs = Date.UTC(2026, 10, 26, 12, 0, 0);
    const nonces = createDpopNonces(Buffer.alloc(32, 1), () => nowMs);
    const issued = nonces.next();
    nowMs += 3 * 60_000;
    assert.ok(nonces.isCurrent(issued), 'still accepted three minutes on (it was issued for the next minute)');
    nowMs += 2 * 60_000;
    assert.ok(!nonces.isCurrent(issued), 'expired five minutes on');
    assert.ok(!createDpopNonces(Buffer.alloc(32, 2)).isCurrent(createDpopNonces(Buffer.alloc(32, 1)).next()));
  });

  it('refuses malformed compact JWS: bad base64url, extra segments, header or payload not JSON objects', async () => {
    const nonces = createDpopNonces(Buffer.alloc(32, 7));
    const key = createDpopKey();
    const expected = { method: 'GET', url, accessToken: 't', nowS: nowS() };
    const good = key.proof({ method: 'GET', url, accessToken: 't', nonce: nonces.next() });
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const encode = (value: string) => Buffer.from(value).toString('base64url');
    const proofs = {
      'padding in the signature': `${header}.${payload}.${signature}=`,
      'standard base64 characters': `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}+`,
      // The last of 86 characters carries 2 bits of the 64-byte signature and 4 unused ones: flip one of
      // those, and a lenient decoder would still verify the signature.
      'stray bits in the last character': `${header}.${payload}.${signature.slice(0, -1)}${strayBitFlipped(signature.at(-1) as string)}`,
      'four segments': `${good}.${signature}`,
      'two segments': `${header}.${payload}`,
      'header not JSON': `${encode('{not json')}.${payload}.${signature}`,
      'header a JSON array': `${encode('[1]')}.${payload}.${signature}`,
      'payload not JSON': `${header}.${encode('nope')}.${signature}`,
      'payload a JSON string, validly signed': (() => {
        const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const jwk = pair.publicKey.export({ format: 'jwk' });
        const input = `${encode(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk }))}.${encode('"x"')}`;
        const sig = cryptoSign('sha256', Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
        return `${input}.${sig.toString('base64url')}`;
      })(),
    };
    for (const [what, proof] of Object.entries(proofs)) {
      await assert.rejects(verifyDpopProof(proof, expected, nonces), refused('invalid_dpop_proof'), what);
    }
    assert.equal((await verifyDpopProof(good, expected, nonces)).jti.length > 0, true, 'the control proof passes');
  });

  it('refuses alg none, HS256, RS256, crit and b64 headers, and a key of the wrong curve', async () => {
    const nonces = createDpopNonces(Buffer.alloc(32, 7));
    const key = createDpopKey();
    const expected = { method: 'GET', url, accessToken: 't', nowS: nowS() };
    const claims = { jti: 'j', htm: 'GET', htu: url, iat: nowS(), ath: accessTokenHashOf('t'), nonce: nonces.next() };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const proofs = {
      'alg none': `${encode({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })}.${encode(claims)}.`,
      HS256: key.signJws({ typ: 'dpop+jwt', alg: 'HS256', jwk: key.publicJwk }, claims),
      RS256: key.signJws({ typ: 'dpop+jwt', alg: 'RS256', jwk: key.publicJwk }, claims),
      crit: key.signJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, crit: ['exp'], exp: 1 }, claims),
      b64: key.signJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, b64: false, crit: ['b64'] }, claims),
      'P-384 key for ES256': key.signJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: p384 }, claims),
      'typ JWT': key.signJws({ typ: 'JWT', alg: 'ES256', jwk: key.publicJwk }, claims),
      'expired (exp)': key.signJws(
        { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk },
        { ...claims, exp: nowS() - 1 },
      ),
      'not yet valid (nbf)': key.signJws(
        { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk },
        { ...claims, nbf: nowS() + 30 },
      ),
    };
    for (const [what, proof] of Object.entries(proofs)) {
      await assert.rejects(verifyDpopProof(proof, expected, nonces), refused('invalid_dpop_proof'), what);
    }
    const control = key.signJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk }, claims);
    assert.equal((await verifyDpopProof(control, expected, nonces)).jti, 'j', 'the control proof passes');
  });

  it('refuses a proof whose signature does not cover its header and payload', async () => {
    const nonces = createDpopNonces(Buffer.alloc(32, 7));
    const key = createDpopKey();
    const expected = { method: 'GET', url, accessToken: 't', nowS: nowS() };
    const one = key.proof({ method: 'GET', url, accessToken: 't', nonce: nonces.next() }).split('.');
    const two = key.proof({ method: 'GET', url, accessToken: 't', nonce: nonces.next() }).split('.');
    const spliced = `${one[0]}.${one[1]}.${two[2]}`;
    await assert.rejects(verifyDpopProof(spliced, expected, nonces), refused('invalid_dpop_proof'));
  });

  it('refuses a proof without a nonce with use_dpop_nonce and hands out the next one', async () => {
    const nonces = createDpopNonces(Buffer.alloc(32, 7));
    const proof = createDpopKey().proof({ method: 'GET', url, accessToken: 't' });
    const expected = { method: 'GET', url, accessToken: 't', nowS: nowS() };
    await assert.rejects(verifyDpopProof(proof, expected, nonces), (error: unknown) => {
      assert.ok(refused('use_dpop_nonce')(error));
      assert.equal((error as DomainError).headers['dpop-nonce'], nonces.next());
      return true;
    });
  });
});
