import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { accessTokenHash, createDpopKey, type DpopProofClaims } from '@nextgen/testkit';
import type { LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import { createDpopNonces, dpopNonceSecretOf } from '../src/platform/dpop.ts';
import { createCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * The resource server's DPoP checks (RFC 9449 §4.3, §7, §8): every call with a customer's
 * DPoP-bound token carries a fresh proof, signed by the bound key, for this method and URL.
 */
const path = '/api/v1/customers/me';
/** PUBLIC_URL of the test app (helper.ts): the only origin a proof may name. */
const url = `http://localhost:3000${path}`;

interface Caller {
  readonly testApp: TestApp;
  readonly token: string;
  /** A proof from the token's own key, with the current nonce unless overridden. */
  proof(overrides?: Partial<DpopProofClaims>): string;
  call(headers: Record<string, string>, method?: 'GET' | 'POST'): Promise<LightMyRequestResponse>;
}

async function caller(t: TestContext): Promise<Caller> {
  const testApp = await buildTestApp(t);
  const customerId = await createCustomer(testApp.deps.db);
  const token = await testApp.customerToken(customerId);
  const { key } = testApp.device;
  return {
    testApp,
    token,
    proof: (overrides = {}) =>
      key.proof({ method: 'GET', url, accessToken: token, nonce: testApp.device.nonce, ...overrides }),
    call: (headers, method = 'GET') => testApp.app.inject({ method, url: path, headers }),
  };
}

async function assertRefused(
  response: LightMyRequestResponse,
  code: 'invalid_dpop_proof' | 'invalid_token' | 'use_dpop_nonce',
  description?: RegExp,
) {
  assert.equal(response.statusCode, 401, response.body);
  assert.equal(response.json().code, code);
  const challenge = String(response.headers['www-authenticate']);
  if (code !== 'invalid_token') assert.match(challenge, new RegExp(`^DPoP realm="nextgen", error="${code}"`));
  if (description) assert.match(challenge, description);
}

describe('DPoP proofs at the API', () => {
  it('accepts a fresh proof from the bound key (the control case)', async (t) => {
    const c = await caller(t);
    const response = await c.call({ authorization: `DPoP ${c.token}`, dpop: c.proof() });
    assert.equal(response.statusCode, 200, response.body);
  });

  it('refuses a request without a proof', async (t) => {
    const c = await caller(t);
    await assertRefused(await c.call({ authorization: `DPoP ${c.token}` }), 'invalid_dpop_proof', /missing/);
  });

  it('refuses a replayed proof: each jti works once', async (t) => {
    const c = await caller(t);
    const proof = c.proof();
    assert.equal((await c.call({ authorization: `DPoP ${c.token}`, dpop: proof })).statusCode, 200);
    await assertRefused(
      await c.call({ authorization: `DPoP ${c.token}`, dpop: proof }),
      'invalid_dpop_proof',
      /used before/,
    );
  });

  it('refuses a proof signed by a key the token is not bound to', async (t) => {
    const c = await caller(t);
    const thief = createDpopKey();
    const proof = thief.proof({ method: 'GET', url, accessToken: c.token, nonce: c.testApp.device.nonce });
    await assertRefused(await c.call({ authorization: `DPoP ${c.token}`, dpop: proof }), 'invalid_dpop_proof', /key/);
  });

  it('refuses a proof made for another method (htm), URL (htu) or token (ath)', async (t) => {
    const c = await caller(t);
    const cases: [Partial<DpopProofClaims>, RegExp][] = [
      [{ method: 'POST' }, /htm/],
      [{ url: 'http://localhost:3000/api/v1/accounts' }, /htu/],
      [{ url: 'https://evil.example/api/v1/customers/me' }, /htu/],
      [{ accessToken: `${c.token}x` }, /ath/],
    ];
    for (const [overrides, description] of cases) {
      const response = await c.call({ authorization: `DPoP ${c.token}`, dpop: c.proof(overrides) });
      await assertRefused(response, 'invalid_dpop_proof', description);
    }
  });

  it('ignores the query string in htu, as RFC 9449 says', async (t) => {
    const c = await caller(t);
    const response = await c.testApp.app.inject({
      url: '/api/v1/sessions?limit=5',
      headers: {
        authorization: `DPoP ${c.token}`,
        dpop: c.proof({ url: 'http://localhost:3000/api/v1/sessions' }),
      },
    });
    assert.equal(response.statusCode, 200, response.body);
  });

  it('checks htu against PUBLIC_URL, never the Host or X-Forwarded-Host the request carries', async (t) => {
    const testApp = await buildTestApp(t, { env: { TRUST_PROXY: 'true', PUBLIC_URL: 'https://bank.example' } });
    const token = await testApp.customerToken(await createCustomer(testApp.deps.db));
    const call = (htu: string, headers: Record<string, string>) =>
      testApp.app.inject({ url: path, headers: { ...headers, ...testApp.dpopHeaders(token, 'GET', htu) } });
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'bank.example' };
    assert.equal((await call(`https://bank.example${path}`, forwarded)).statusCode, 200);
    // Whatever host a request names, a proof made for that host is not one for this API.
    const evil = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' };
    await assertRefused(await call(`https://evil.example${path}`, evil), 'invalid_dpop_proof', /htu/);
    await assertRefused(
      await call(`http://evil.example${path}`, { host: 'evil.example' }),
      'invalid_dpop_proof',
      /htu/,
    );
    await assertRefused(await call(`http://localhost:80${path}`, {}), 'invalid_dpop_proof', /htu/);
  });

  it('refuses a proof for the Host the client sent when that is not PUBLIC_URL (no proxy trusted)', async (t) => {
    const c = await caller(t);
    const evilUrl = `http://evil.example${path}`;
    const response = await c.testApp.app.inject({
      url: path,
      headers: { host: 'evil.example', authorization: `DPoP ${c.token}`, dpop: c.proof({ url: evilUrl }) },
    });
    await assertRefused(response, 'invalid_dpop_proof', /htu/);
  });

  it('refuses a proof that is too old or from the future (iat)', async (t) => {
    const c = await caller(t);
    const nowS = Math.floor(Date.now() / 1000);
    for (const iatS of [nowS - 600, nowS + 600]) {
      const response = await c.call({ authorization: `DPoP ${c.token}`, dpop: c.proof({ iatS }) });
      await assertRefused(response, 'invalid_dpop_proof', /iat/);
    }
  });

  it('asks for a nonce (use_dpop_nonce with DPoP-Nonce) and accepts the proof signed with it', async (t) => {
    const c = await caller(t);
    const first = await c.call({ authorization: `DPoP ${c.token}`, dpop: c.proof({ nonce: undefined }) });
    await assertRefused(first, 'use_dpop_nonce');
    const nonce = String(first.headers['dpop-nonce']);
    assert.ok(nonce.length >= 43);
    const retried = await c.call({ authorization: `DPoP ${c.token}`, dpop: c.proof({ nonce }) });
    assert.equal(retried.statusCode, 200, retried.body);
    const forged = await c.call({ authorization: `DPoP ${c.token}`, dpop: c.proof({ nonce: 'n'.repeat(43) }) });
    await assertRefused(forged, 'use_dpop_nonce');
  });

  it('hands out the next nonce when the proof used an older, still accepted one', async (t) => {
    const c = await caller(t);
    const secret = dpopNonceSecretOf(c.testApp.deps.keys);
    const older = createDpopNonces(secret, () => Date.now() - 120_000).next();
    const response = await c.call({ authorization: `DPoP ${c.token}`, dpop: c.proof({ nonce: older }) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['dpop-nonce'], createDpopNonces(secret).next());
  });

  it('refuses malformed proofs: wrong typ, symmetric or no algorithm, a private key in the header', async (t) => {
    const c = await caller(t);
    const key = c.testApp.device.key;
    const claims = {
      jti: randomBytes(8).toString('base64url'),
      htm: 'GET',
      htu: url,
      iat: Math.floor(Date.now() / 1000),
      ath: accessTokenHash(c.token),
      nonce: c.testApp.device.nonce,
    };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateJwk = privateKey.export({ format: 'jwk' });
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } as never })
      .sign(new TextEncoder().encode('s'.repeat(32)));
    const proofs = {
      'typ JWT': key.signJws({ typ: 'JWT', alg: 'ES256', jwk: key.publicJwk }, claims),
      'no jwk': key.signJws({ typ: 'dpop+jwt', alg: 'ES256' }, claims),
      'private jwk': key.signJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: privateJwk }, claims),
      'alg none': `${encode({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })}.${encode(claims)}.`,
      HS256: hs256,
      'not a JWT': 'garbage',
      'no jti': key.signJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk }, { ...claims, jti: undefined }),
    };
    for (const [what, proof] of Object.entries(proofs)) {
      const response = await c.call({ authorization: `DPoP ${c.token}`, dpop: proof });
      assert.equal(response.statusCode, 401, what);
      assert.equal(response.json().code, 'invalid_dpop_proof', what);
    }
  });

  it('refuses two DPoP headers', async (t) => {
    const c = await caller(t);
    const response = await c.testApp.app.inject({
      url: path,
      headers: { authorization: `DPoP ${c.token}`, dpop: [c.proof(), c.proof()] as unknown as string },
    });
    await assertRefused(response, 'invalid_dpop_proof', /exactly one/);
  });

  it('refuses the DPoP-bound token sent as a bearer token, even with a proof', async (t) => {
    const c = await caller(t);
    await assertRefused(await c.call({ authorization: `Bearer ${c.token}`, dpop: c.proof() }), 'invalid_token');
  });

  it('keeps operator (back-office) tokens bearer tokens, refused under the DPoP scheme', async (t) => {
    const c = await caller(t);
    const operatorToken = await c.testApp.operatorToken();
    const response = await c.testApp.app.inject({
      url: '/api/v1/customers/me',
      headers: { authorization: `DPoP ${operatorToken}`, dpop: c.proof({ accessToken: operatorToken }) },
    });
    await assertRefused(response, 'invalid_token', /not DPoP-bound/);
  });
});
