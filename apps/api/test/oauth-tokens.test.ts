import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { backofficeToken, OAuthDriverError, oauthDriver, signUpAndSignIn } from '@nextgen/testkit';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import { apiAudienceOf, issuerOf, requireOperator } from '../src/platform/auth.ts';
import { generateSigningKey } from '../src/platform/keys.ts';
import { createCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const backofficeSecret = randomBytes(32).toString('base64url');

/** The app with a tiny operator-only route, the way the back-office API guards its routes. */
async function appWithOperatorRoute(t: Parameters<typeof buildTestApp>[0]): Promise<TestApp> {
  const testApp = await buildTestApp(t, { env: { BACKOFFICE_CLIENT_SECRET: backofficeSecret } });
  testApp.app.get('/test/operator', async (request) => ({ operator: requireOperator(request).subject }));
  return testApp;
}

const basicAuth = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${clientId}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('back-office client credentials', () => {
  it('issues a short-lived back-office token that requireOperator accepts', async (t) => {
    const { app } = await appWithOperatorRoute(t);
    const token = await backofficeToken(app, backofficeSecret);
    const claims = decodeJwt(token);
    assert.equal(claims.client_id, 'nextgen-backoffice');
    assert.equal(claims.scope, 'backoffice');
    assert.ok((claims.exp ?? 0) - (claims.iat ?? 0) <= 600);
    const response = await app.inject({ url: '/test/operator', headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { operator: 'nextgen-backoffice' });
  });

  it('is refused by customer routes with 403', async (t) => {
    const { app } = await appWithOperatorRoute(t);
    const token = await backofficeToken(app, backofficeSecret);
    const response = await app.inject({ url: '/api/v1/customers/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'customer_only');
  });

  it('refuses a wrong client secret with invalid_client', async (t) => {
    const { app } = await appWithOperatorRoute(t);
    await assert.rejects(
      backofficeToken(app, randomBytes(32).toString('base64url')),
      (error: unknown) =>
        error instanceof OAuthDriverError && error.status === 401 && error.oauthError === 'invalid_client',
    );
  });

  it('refuses the grant to the public mobile client', async (t) => {
    const { app } = await appWithOperatorRoute(t);
    const response = await oauthDriver(app).tokenRequest({
      grant_type: 'client_credentials',
      client_id: 'nextgen-mobile',
      scope: 'backoffice',
    });
    assert.equal(response.status, 400);
    // oidc-provider answers invalid_request with this description (RFC 6749 would say unauthorized_client).
    assert.match(JSON.parse(response.body).error_description, /grant type is not allowed for this client/);
  });

  it('refuses a scope other than backoffice', async (t) => {
    const { app } = await appWithOperatorRoute(t);
    const response = await oauthDriver(app).tokenRequest(
      { grant_type: 'client_credentials', scope: 'openid offline_access' },
      { authorization: basicAuth('nextgen-backoffice', backofficeSecret) },
    );
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).error, 'invalid_scope');
  });

  it('keeps operator routes closed to customers', async (t) => {
    const { app } = await appWithOperatorRoute(t);
    const customer = await signUpAndSignIn(app, {
      name: 'Alan Turing',
      email: 'alan@example.com',
      password: 'the imitation game 1950',
    });
    const response = await customer.api('GET', '/test/operator');
    assert.equal(response.status, 403);
    assert.equal(JSON.parse(response.body).code, 'operator_only');
  });
});

describe('access tokens the API refuses', () => {
  async function signWith(
    testApp: TestApp,
    overrides: {
      claims?: Record<string, unknown>;
      header?: Record<string, unknown>;
      issuer?: string;
      audience?: string;
      expiresInS?: number;
      key?: 'own' | 'foreign';
    },
  ): Promise<string> {
    const jwk = overrides.key === 'foreign' ? generateSigningKey() : testApp.deps.keys.privateJwks.keys[0];
    assert.ok(jwk);
    const nowS = Math.floor(Date.now() / 1000);
    const boundToDevice = { cnf: { jkt: testApp.device.key.thumbprint } };
    return new SignJWT({
      sub: 'cus_01jf8x3m5n6p7q8r9s0t1v2w3x',
      client_id: 'nextgen-mobile',
      ...boundToDevice,
      ...overrides.claims,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid, ...overrides.header })
      .setIssuer(overrides.issuer ?? issuerOf(testApp.config))
      .setAudience(overrides.audience ?? apiAudienceOf(testApp.config))
      .setIssuedAt(nowS - 700)
      .setExpirationTime(nowS + (overrides.expiresInS ?? 300))
      .setJti(randomBytes(12).toString('base64url'))
      .sign(await importJWK(jwk, 'ES256'));
  }

  /** The token as the app sends it: DPoP scheme and a valid proof from the bound key. */
  const callWith = (testApp: TestApp, token: string) =>
    testApp.app.inject({
      url: '/api/v1/customers/me',
      headers: testApp.dpopHeaders(token, 'GET', '/api/v1/customers/me'),
    });

  async function assertRefused(testApp: TestApp, token: string, description: RegExp) {
    const response = await callWith(testApp, token);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'invalid_token');
    const challenge = String(response.headers['www-authenticate']);
    assert.match(challenge, /^Bearer realm="nextgen", error="invalid_token"/);
    assert.match(challenge, description);
  }

  it('accepts a well-formed token (the control case)', async (t) => {
    const testApp = await buildTestApp(t);
    const token = await signWith(testApp, { claims: { sub: await createCustomer(testApp.deps.db) } });
    const response = await callWith(testApp, token);
    assert.equal(response.statusCode, 200, response.body);
  });

  it('refuses a well-formed token of a customer that does not exist (fail closed, issue 12)', async (t) => {
    const testApp = await buildTestApp(t);
    const response = await callWith(testApp, await signWith(testApp, {}));
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'customer_inactive');
  });

  it('refuses a token for another audience', async (t) => {
    const testApp = await buildTestApp(t);
    await assertRefused(testApp, await signWith(testApp, { audience: 'https://other.example/api' }), /invalid/);
  });

  it('refuses a token from another issuer', async (t) => {
    const testApp = await buildTestApp(t);
    await assertRefused(testApp, await signWith(testApp, { issuer: 'https://evil.example/oidc' }), /invalid/);
  });

  it('refuses an expired token', async (t) => {
    const testApp = await buildTestApp(t);
    await assertRefused(testApp, await signWith(testApp, { expiresInS: -60 }), /expired/);
  });

  it('refuses a token signed by a key the server does not hold', async (t) => {
    const testApp = await buildTestApp(t);
    await assertRefused(testApp, await signWith(testApp, { key: 'foreign' }), /invalid/);
  });

  it('refuses a token that is not an access token (typ)', async (t) => {
    const testApp = await buildTestApp(t);
    await assertRefused(testApp, await signWith(testApp, { header: { typ: 'JWT' } }), /invalid/);
  });

  it('refuses symmetric and unsigned algorithms', async (t) => {
    const testApp = await buildTestApp(t);
    const claims = {
      sub: 'cus_01jf8x3m5n6p7q8r9s0t1v2w3x',
      client_id: 'nextgen-mobile',
      iss: issuerOf(testApp.config),
      aud: apiAudienceOf(testApp.config),
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 300,
      jti: 'x',
      cnf: { jkt: testApp.device.key.thumbprint },
    };
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode('a'.repeat(32)));
    await assertRefused(testApp, hs256, /invalid/);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`;
    await assertRefused(testApp, unsigned, /invalid/);
  });

  it('refuses a customer token that is not DPoP-bound (no cnf.jkt), whatever the scheme', async (t) => {
    const testApp = await buildTestApp(t);
    const token = await signWith(testApp, { claims: { cnf: undefined } });
    await assertRefused(testApp, token, /not DPoP-bound/);
    const asBearer = await testApp.app.inject({
      url: '/api/v1/customers/me',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(asBearer.statusCode, 401);
    assert.equal(asBearer.json().code, 'invalid_token');
  });

  it('refuses a token with a malformed cnf claim', async (t) => {
    const testApp = await buildTestApp(t);
    await assertRefused(testApp, await signWith(testApp, { claims: { cnf: { jkt: 42 } } }), /invalid/);
  });

  it('refuses a customer token whose subject is not a customer id', async (t) => {
    const testApp = await buildTestApp(t);
    await assertRefused(testApp, await signWith(testApp, { claims: { sub: 'admin' } }), /invalid/);
  });

  it('refuses a customer subject in a token issued to another client than the app', async (t) => {
    const testApp = await buildTestApp(t);
    for (const clientId of ['nextgen-backoffice', 'opr_01jf8x3m5n6p7q8r9s0t1v2w3x', 'some-other-client']) {
      const token = await signWith(testApp, { claims: { client_id: clientId, scope: 'openid' } });
      await assertRefused(testApp, token, /invalid/);
    }
  });

  it('refuses a forged back-office claim from the mobile client', async (t) => {
    const testApp = await buildTestApp(t);
    const token = await signWith(testApp, { claims: { sub: 'nextgen-backoffice', scope: 'backoffice' } });
    await assertRefused(testApp, token, /invalid/);
  });
});
