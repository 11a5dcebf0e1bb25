import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import {
  createDpopClient,
  type InjectTarget,
  OAuthDriverError,
  oauthDriver,
  refreshErrorOf,
  type SignedInCustomer,
} from '@nextgen/testkit';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { apiAudienceOf, issuerOf } from '../src/platform/auth.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/** The real app on a real socket: the flow runs over HTTP with fetch, as the mobile app's would. */
async function listeningApp(t: TestContext): Promise<{ testApp: TestApp; baseUrl: string }> {
  const testApp = await buildTestApp(t);
  const baseUrl = await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  return { testApp, baseUrl };
}

let customerNumber = 0;
function newCustomer() {
  customerNumber += 1;
  return {
    name: 'Grace Hopper',
    email: `grace.${customerNumber}.${randomBytes(3).toString('hex')}@example.com`,
    password: 'compilers are friendly beasts',
  };
}

type Driver = ReturnType<typeof oauthDriver>;

/** A new customer signed in on a new device (driver). */
async function signedIn(baseUrl: string): Promise<{ driver: Driver; session: SignedInCustomer }> {
  const driver = oauthDriver(baseUrl);
  const customer = newCustomer();
  await driver.registerCustomer(customer);
  return { driver, session: await driver.signIn(customer) };
}

/** GET /api/v1/customers/me with the device's DPoP key. */
async function profileStatus(driver: Driver, accessToken: string): Promise<{ status: number; code?: string }> {
  const response = await driver.api(accessToken, 'GET', '/api/v1/customers/me');
  const body = JSON.parse(response.body) as { code?: string };
  return { status: response.status, code: body.code };
}

const refreshError = refreshErrorOf;

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function authorizationFields(extra: Record<string, string>): Record<string, string> {
  return {
    client_id: 'nextgen-mobile',
    redirect_uri: 'nextgen://oauth/callback',
    response_type: 'code',
    scope: 'openid offline_access',
    state: 'xyz',
    ...extra,
  };
}

/** A pushed authorization request, answered as the driver saw it. */
async function push(driver: Driver, fields: Record<string, string>) {
  try {
    return { requestUri: await driver.pushAuthorizationRequest(fields), error: undefined };
  } catch (error) {
    if (error instanceof OAuthDriverError) return { requestUri: undefined, error };
    throw error;
  }
}

describe('OAuth authorization code flow: PAR, PKCE, DPoP', () => {
  it('signs a customer in; the tokens are DPoP-bound and the API accepts them with a proof', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const customer = newCustomer();
    const registered = await driver.registerCustomer(customer);
    const session = await driver.signIn(customer);

    assert.equal(session.customerId, registered.id);
    assert.equal(session.expiresIn, 600);
    assert.ok(session.refreshToken.length >= 43);
    const header = decodeProtectedHeader(session.accessToken);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'at+jwt');
    const claims = decodeJwt(session.accessToken);
    assert.equal(claims.sub, registered.id);
    assert.equal(claims.iss, issuerOf(testApp.config));
    assert.equal(claims.aud, apiAudienceOf(testApp.config));
    assert.equal(claims.client_id, 'nextgen-mobile');
    assert.deepEqual(claims.cnf, { jkt: driver.dpop.key.thumbprint });
    assert.ok((claims.exp ?? 0) - (claims.iat ?? 0) <= 600);
    assert.equal(decodeJwt(session.idToken).sub, registered.id);

    const me = await session.api('GET', '/api/v1/customers/me');
    assert.equal(me.status, 200);
    assert.deepEqual(JSON.parse(me.body), registered);
  });

  it('puts the issuer in the authorization response (RFC 9207)', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    const { session } = await signedIn(baseUrl);
    assert.equal(session.issuer, issuerOf(testApp.config));
  });

  it('refuses the access token without its proof, as a bearer token', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { session } = await signedIn(baseUrl);
    const response = await fetch(`${baseUrl}/api/v1/customers/me`, {
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'invalid_token');
  });

  it('publishes discovery: PAR required, DPoP algorithms, S256 only, code flow only, iss, public keys only', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    const discovery = (await (await fetch(`${baseUrl}/oidc/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(discovery.issuer, issuerOf(testApp.config));
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(discovery.response_types_supported, ['code']);
    assert.equal(discovery.authorization_response_iss_parameter_supported, true);
    assert.equal(discovery.require_pushed_authorization_requests, true);
    assert.match(String(discovery.pushed_authorization_request_endpoint), /\/oidc\/request$/);
    assert.deepEqual(discovery.dpop_signing_alg_values_supported, ['ES256', 'EdDSA', 'Ed25519', 'PS256']);
    const jwks = (await (await fetch(`${baseUrl}/oidc/jwks`)).json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.alg, 'ES256');
    assert.ok(!('d' in (jwks.keys[0] ?? {})), 'the private key stays private');
  });

  it('refuses a plain authorization request that was not pushed (PAR required)', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { challenge } = pkce();
    const query = new URLSearchParams(
      authorizationFields({ code_challenge: challenge, code_challenge_method: 'S256' }),
    ).toString();
    const response = await fetch(`${baseUrl}/oidc/auth?${query}`, { redirect: 'manual' });
    const location = URL.parse(response.headers.get('location') ?? '');
    assert.equal(location?.searchParams.get('code') ?? null, null, 'no code is issued');
    assert.equal(location?.searchParams.get('error'), 'invalid_request');
    assert.match(location?.searchParams.get('error_description') ?? '', /pushed authorization request/i);
  });

  describe('refuses pushed authorization requests that do not use PKCE S256', () => {
    const cases: [string, Record<string, string>][] = [
      ['no code_challenge at all', {}],
      ['the plain method', { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }],
      ['a challenge without its method', { code_challenge: 'x'.repeat(43) }],
    ];
    for (const [what, extra] of cases) {
      it(`refuses ${what}`, async (t) => {
        const { baseUrl } = await listeningApp(t);
        const { requestUri, error } = await push(oauthDriver(baseUrl), authorizationFields(extra));
        assert.equal(requestUri, undefined);
        assert.equal(error?.status, 400);
        assert.equal(error?.oauthError, 'invalid_request');
      });
    }
  });

  it('refuses a pushed authorization request without a DPoP proof, even with dpop_jkt', async (t) => {
    const testApp = await buildTestApp(t);
    const { challenge } = pkce();
    const fields = authorizationFields({ code_challenge: challenge, code_challenge_method: 'S256' });
    const extras: Record<string, string>[] = [{}, { dpop_jkt: createDpopClient().key.thumbprint }];
    for (const extra of extras) {
      const response = await testApp.app.inject({
        method: 'POST',
        url: '/oidc/request',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...fields, ...extra }).toString(),
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error, 'invalid_request');
      assert.match(response.json().error_description, /DPoP proof is required/);
    }
  });

  it('refuses a response mode other than query', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { challenge } = pkce();
    for (const responseMode of ['fragment', 'form_post']) {
      const { requestUri, error } = await push(
        oauthDriver(baseUrl),
        authorizationFields({ code_challenge: challenge, code_challenge_method: 'S256', response_mode: responseMode }),
      );
      assert.equal(requestUri, undefined, responseMode);
      assert.equal(error?.status, 400, responseMode);
      assert.match(error?.body ?? '', /response_mode/, responseMode);
    }
  });

  it('refuses a redirect URI that is not registered', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { challenge } = pkce();
    const { error } = await push(
      oauthDriver(baseUrl),
      authorizationFields({
        redirect_uri: 'https://attacker.example/callback',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    assert.equal(error?.status, 400);
    assert.equal(error?.oauthError, 'invalid_request');
    assert.match(error?.body ?? '', /redirect_uri/);
  });
});

describe('authorization codes', () => {
  /** Runs the flow up to the redirect back to the app, returning the code and its verifier. */
  async function codeFor(driver: Driver): Promise<{ code: string; verifier: string }> {
    const customer = newCustomer();
    await driver.registerCustomer(customer);
    const attempt = await driver.beginSignIn();
    assert.equal((await attempt.submit(customer.email, customer.password)).status, 303);
    const { callback, codeVerifier } = await attempt.authorize();
    return { code: callback.searchParams.get('code') ?? '', verifier: codeVerifier };
  }

  const exchange = (driver: Driver, code: string, verifier: string) =>
    driver.tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'nextgen://oauth/callback',
      client_id: 'nextgen-mobile',
      code_verifier: verifier,
    });

  it('live 60 seconds', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    await codeFor(oauthDriver(baseUrl));
    const { rows } = await testApp.deps.db.query<{ ttl_s: number }>(
      `SELECT extract(epoch FROM expires_at - now())::float8 AS ttl_s FROM oauth_artefacts WHERE model = 'AuthorizationCode'`,
    );
    assert.equal(rows.length, 1);
    assert.ok((rows[0]?.ttl_s ?? 0) > 50 && (rows[0]?.ttl_s ?? 0) <= 60, `ttl ${rows[0]?.ttl_s}`);
  });

  it('refuse the wrong code_verifier', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const { code } = await codeFor(driver);
    const response = await exchange(driver, code, randomBytes(32).toString('base64url'));
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).error, 'invalid_grant');
  });

  it('are exchanged only with a DPoP proof', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const { code, verifier } = await codeFor(driver);
    const response = await driver.tokenRequest(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'nextgen://oauth/callback',
        client_id: 'nextgen-mobile',
        code_verifier: verifier,
      },
      {},
      { dpop: false },
    );
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).error, 'invalid_grant');
  });

  it('are bound to the key that pushed the request: another device cannot exchange a stolen code', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { code, verifier } = await codeFor(oauthDriver(baseUrl));
    const thief = oauthDriver(baseUrl);
    const response = await exchange(thief, code, verifier);
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).error, 'invalid_grant');
  });

  it('work once; a replayed code revokes the tokens issued for it', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const { code, verifier } = await codeFor(driver);
    const first = await exchange(driver, code, verifier);
    assert.equal(first.status, 200);
    const tokens = JSON.parse(first.body) as { access_token: string; refresh_token: string; token_type: string };
    assert.equal(tokens.token_type, 'DPoP');
    const replay = await exchange(driver, code, verifier);
    assert.equal(replay.status, 400);
    assert.equal(JSON.parse(replay.body).error, 'invalid_grant');
    assert.equal(await refreshError(driver, tokens.refresh_token), 'invalid_grant');
    assert.deepEqual(await profileStatus(driver, tokens.access_token), { status: 401, code: 'invalid_token' });
  });
});

describe('DPoP at the token endpoint', () => {
  it('asks for a server nonce (use_dpop_nonce) and accepts the proof signed with it', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    const { session } = await signedIn(baseUrl);
    const device = createDpopClient();
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
      client_id: 'nextgen-mobile',
    }).toString();
    const response = await fetch(`${baseUrl}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        dpop: device.proofFor('POST', `${testApp.config.publicUrl}/oidc/token`),
      },
      body,
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'use_dpop_nonce');
    assert.ok(response.headers.get('dpop-nonce'), 'the answer carries the nonce to use');
  });

  it("hands out nonces the API accepts too (one nonce for the device's every call)", async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    const { session } = await signedIn(baseUrl);
    const nonce = session.dpop.nonce;
    assert.ok(nonce);
    const headers = session.dpop.headersFor(
      'GET',
      `${testApp.config.publicUrl}/api/v1/customers/me`,
      session.accessToken,
    );
    assert.match(headers.dpop, /\./);
    const response = await fetch(`${baseUrl}/api/v1/customers/me`, { headers });
    assert.equal(response.status, 200);
  });
});

describe('the authorization server answers for PUBLIC_URL only', () => {
  /** A pushed authorization request with a proof for `htu`, sent with `headers` (Host, X-Forwarded-*). */
  async function push(testApp: TestApp, htu: string, headers: Record<string, string>) {
    const device = createDpopClient();
    const { challenge } = pkce();
    const request = () =>
      testApp.app.inject({
        method: 'POST',
        url: '/oidc/request',
        headers: {
          ...headers,
          'content-type': 'application/x-www-form-urlencoded',
          dpop: device.proofFor('POST', htu),
        },
        payload: new URLSearchParams(
          authorizationFields({ code_challenge: challenge, code_challenge_method: 'S256' }),
        ).toString(),
      });
    const first = await request();
    if (!device.wantsNonce(first.statusCode, first.headers as Record<string, string>, first.body)) return first;
    device.learnNonce(first.headers as Record<string, string>);
    return request();
  }

  it('checks a proof against PUBLIC_URL, never the Host header the client sent', async (t) => {
    const testApp = await buildTestApp(t);
    const publicHtu = `${testApp.config.publicUrl}/oidc/request`;
    assert.equal((await push(testApp, publicHtu, { host: 'evil.example' })).statusCode, 201);
    const refused = await push(testApp, 'http://evil.example/oidc/request', { host: 'evil.example' });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(refused.json().error, 'invalid_dpop_proof');
  });

  it('ignores X-Forwarded-Host and -Proto, with or without TRUST_PROXY', async (t) => {
    for (const trustProxy of ['false', 'true']) {
      const testApp = await buildTestApp(t, { env: { TRUST_PROXY: trustProxy } });
      const forwarded = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
      const refused = await push(testApp, 'https://evil.example/oidc/request', forwarded);
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error, 'invalid_dpop_proof');
      const discovery = await testApp.app.inject({ url: '/oidc/.well-known/openid-configuration', headers: forwarded });
      assert.equal(discovery.json().token_endpoint, `${testApp.config.publicUrl}/oidc/token`);
      assert.equal(discovery.json().pushed_authorization_request_endpoint, `${testApp.config.publicUrl}/oidc/request`);
    }
  });

  it('sees the client address a trusted proxy forwarded only under TRUST_PROXY, as the API does', async (t) => {
    for (const [trustProxy, network] of [
      ['false', '127.0.0.0/24'],
      ['true', '203.0.113.0/24'],
    ] as const) {
      const testApp = await buildTestApp(t, { env: { TRUST_PROXY: trustProxy } });
      const viaProxy: InjectTarget = {
        inject: (options) =>
          testApp.app.inject({ ...options, headers: { ...options.headers, 'x-forwarded-for': '203.0.113.50' } }),
      };
      const driver = oauthDriver(viaProxy);
      const customer = newCustomer();
      await driver.registerCustomer(customer);
      const session = await driver.signIn(customer);
      const sessions = JSON.parse((await session.api('GET', '/api/v1/sessions')).body) as {
        data: { network: string }[];
      };
      assert.deepEqual(
        sessions.data.map((s) => s.network),
        [network],
        `TRUST_PROXY=${trustProxy}`,
      );
    }
  });
});

describe('refresh tokens', () => {
  it('rotate on every use, stay bound to the device key, and the new access token works', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const first = await driver.refresh(session.refreshToken);
    assert.notEqual(first.refreshToken, session.refreshToken);
    assert.notEqual(first.accessToken, session.accessToken);
    const second = await driver.refresh(first.refreshToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal(decodeJwt(second.accessToken).sub, session.customerId);
    assert.deepEqual(decodeJwt(second.accessToken).cnf, { jkt: driver.dpop.key.thumbprint });
    assert.equal((await profileStatus(driver, second.accessToken)).status, 200);
  });

  it('are refused with another device key: a stolen refresh token is useless', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    assert.equal(await refreshError(oauthDriver(baseUrl), session.refreshToken), 'invalid_grant');
    // The owner's device still refreshes.
    assert.equal((await driver.refresh(session.refreshToken)).expiresIn, 600);
  });

  it('used twice revoke the whole family: every refresh token and access token of the grant', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const rotated = await driver.refresh(session.refreshToken);
    const newer = await driver.refresh(rotated.refreshToken);
    // An attacker who also holds the device key replays the stolen, already rotated token. (Before
    // its successor is used, a repeat gets the answer it lost: oauth-refresh-retry.test.ts.)
    assert.equal(await refreshError(driver, session.refreshToken), 'invalid_grant');
    // The legitimate holder's newer token is dead too, and so are the access tokens.
    assert.equal(await refreshError(driver, newer.refreshToken), 'invalid_grant');
    assert.deepEqual(await profileStatus(driver, newer.accessToken), { status: 401, code: 'invalid_token' });
    assert.deepEqual(await profileStatus(driver, rotated.accessToken), { status: 401, code: 'invalid_token' });
    assert.deepEqual(await profileStatus(driver, session.accessToken), { status: 401, code: 'invalid_token' });
  });

  it('used concurrently twice: exactly one use wins, then the family is revoked', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const outcomes = await Promise.allSettled([
      driver.refresh(session.refreshToken),
      driver.refresh(session.refreshToken),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    assert.equal(won.length, 1, 'a refresh token is honoured exactly once');
    for (const outcome of won) {
      assert.equal(await refreshError(driver, outcome.value.refreshToken), 'invalid_grant');
    }
  });

  it('of another sign-in of the same customer are not affected by a revoked family', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const customer = newCustomer();
    await driver.registerCustomer(customer);
    const phone = await driver.signIn(customer);
    const tablet = await driver.signIn(customer);
    await driver.revoke(phone.refreshToken);
    assert.equal(await refreshError(driver, phone.refreshToken), 'invalid_grant');
    const renewed = await driver.refresh(tablet.refreshToken);
    assert.equal((await profileStatus(driver, renewed.accessToken)).status, 200);
  });
});

describe('ending a sign-in', () => {
  it('revocation of the refresh token ends the grant: refresh and access tokens stop working', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    assert.equal((await profileStatus(driver, session.accessToken)).status, 200);
    await driver.revoke(session.refreshToken);
    assert.equal(await refreshError(driver, session.refreshToken), 'invalid_grant');
    const refused = await session.api('GET', '/api/v1/customers/me');
    assert.equal(refused.status, 401);
    assert.equal(JSON.parse(refused.body).code, 'invalid_token');
    assert.match(refused.headers['www-authenticate'] ?? '', /error="invalid_token"/);
  });

  it('revoking a token that does not exist answers 200 and changes nothing (RFC 7009)', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    await driver.revoke('no-such-token');
    assert.equal((await driver.refresh(session.refreshToken)).expiresIn, 600);
  });

  it('logout ends the session and the grant: refresh and access tokens stop working', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    await session.logout();
    assert.equal(await refreshError(driver, session.refreshToken), 'invalid_grant');
    assert.deepEqual(await profileStatus(driver, session.accessToken), { status: 401, code: 'invalid_token' });
  });
});
