import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import { OAuthDriverError, oauthDriver, type SignedInCustomer } from '@nextgen/testkit';
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

async function signedIn(baseUrl: string): Promise<SignedInCustomer> {
  const driver = oauthDriver(baseUrl);
  const customer = newCustomer();
  await driver.registerCustomer(customer);
  return driver.signIn(customer);
}

async function profileStatus(baseUrl: string, accessToken: string): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${baseUrl}/api/v1/customers/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const body = (await response.json()) as { code?: string };
  return { status: response.status, code: body.code };
}

async function refreshError(driver: ReturnType<typeof oauthDriver>, refreshToken: string): Promise<string | undefined> {
  try {
    await driver.refresh(refreshToken);
  } catch (error) {
    if (error instanceof OAuthDriverError) return error.oauthError;
    throw error;
  }
  return undefined;
}

function authorizeQuery(extra: Record<string, string>): string {
  return new URLSearchParams({
    client_id: 'nextgen-mobile',
    redirect_uri: 'nextgen://oauth/callback',
    response_type: 'code',
    scope: 'openid offline_access',
    state: 'xyz',
    ...extra,
  }).toString();
}

describe('OAuth authorization code flow with PKCE', () => {
  it('signs a customer in and the API accepts the access token', async (t) => {
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
    assert.ok((claims.exp ?? 0) - (claims.iat ?? 0) <= 600);
    assert.equal(decodeJwt(session.idToken).sub, registered.id);

    const me = await fetch(`${baseUrl}/api/v1/customers/me`, {
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), registered);
  });

  it('publishes discovery and signing keys: S256 only, code flow only, no private key material', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    const discovery = (await (await fetch(`${baseUrl}/oidc/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(discovery.issuer, issuerOf(testApp.config));
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(discovery.response_types_supported, ['code']);
    assert.equal(discovery.authorization_response_iss_parameter_supported, true);
    const jwks = (await (await fetch(`${baseUrl}/oidc/jwks`)).json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.alg, 'ES256');
    assert.ok(!('d' in (jwks.keys[0] ?? {})), 'the private key stays private');
  });

  describe('refuses authorization requests that do not use PKCE S256', () => {
    const cases: [string, Record<string, string>][] = [
      ['no code_challenge at all', {}],
      ['the plain method', { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }],
      ['a challenge without its method', { code_challenge: 'x'.repeat(43) }],
    ];
    for (const [what, extra] of cases) {
      it(`refuses ${what}`, async (t) => {
        const { baseUrl } = await listeningApp(t);
        const response = await fetch(`${baseUrl}/oidc/auth?${authorizeQuery(extra)}`, { redirect: 'manual' });
        assert.equal(response.status, 303);
        const location = new URL(response.headers.get('location') ?? '');
        assert.equal(`${location.protocol}//${location.host}${location.pathname}`, 'nextgen://oauth/callback');
        assert.equal(location.searchParams.get('error'), 'invalid_request');
        assert.equal(location.searchParams.get('code'), null);
      });
    }
  });

  it('refuses a redirect URI that is not registered, without redirecting to it', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const query = authorizeQuery({
      redirect_uri: 'https://attacker.example/callback',
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const response = await fetch(`${baseUrl}/oidc/auth?${query}`, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /invalid_redirect_uri/);
  });
});

describe('authorization codes', () => {
  /** Runs the flow up to the redirect back to the app, returning the code and its verifier. */
  async function codeFor(baseUrl: string): Promise<{ code: string; verifier: string }> {
    const driver = oauthDriver(baseUrl);
    const customer = newCustomer();
    await driver.registerCustomer(customer);
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const cookies = new Map<string, string>();
    const remember = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const [name = '', value = ''] = pair.split('=');
        if (value) cookies.set(name, value);
        else cookies.delete(name);
      }
    };
    const cookieHeader = () => [...cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    let response = await fetch(
      `${baseUrl}/oidc/auth?${authorizeQuery({ code_challenge: challenge, code_challenge_method: 'S256', prompt: 'consent' })}`,
      { redirect: 'manual' },
    );
    remember(response);
    let location = response.headers.get('location') ?? '';
    const uid = /\/interaction\/([^/?]+)/.exec(location)?.[1];
    response = await fetch(`${baseUrl}/interaction/${uid}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() },
      body: new URLSearchParams({ email: customer.email, password: customer.password }).toString(),
    });
    remember(response);
    for (let hop = 0; hop < 6; hop += 1) {
      location = response.headers.get('location') ?? '';
      if (location.startsWith('nextgen://')) break;
      const url = new URL(location, baseUrl);
      response = await fetch(`${baseUrl}${url.pathname}${url.search}`, {
        redirect: 'manual',
        headers: { cookie: cookieHeader() },
      });
      remember(response);
    }
    const code = new URL(location).searchParams.get('code');
    assert.ok(code, `no code in ${location}`);
    return { code, verifier };
  }

  const exchange = (baseUrl: string, code: string, verifier: string) =>
    oauthDriver(baseUrl).tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'nextgen://oauth/callback',
      client_id: 'nextgen-mobile',
      code_verifier: verifier,
    });

  it('live 60 seconds', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    await codeFor(baseUrl);
    const { rows } = await testApp.deps.db.query<{ ttl_s: number }>(
      `SELECT extract(epoch FROM expires_at - now())::float8 AS ttl_s FROM oauth_artefacts WHERE model = 'AuthorizationCode'`,
    );
    assert.equal(rows.length, 1);
    assert.ok((rows[0]?.ttl_s ?? 0) > 50 && (rows[0]?.ttl_s ?? 0) <= 60, `ttl ${rows[0]?.ttl_s}`);
  });

  it('refuse the wrong code_verifier', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { code } = await codeFor(baseUrl);
    const response = await exchange(baseUrl, code, randomBytes(32).toString('base64url'));
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).error, 'invalid_grant');
  });

  it('work once; a replayed code revokes the tokens issued for it', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { code, verifier } = await codeFor(baseUrl);
    const first = await exchange(baseUrl, code, verifier);
    assert.equal(first.status, 200);
    const tokens = JSON.parse(first.body) as { access_token: string; refresh_token: string };
    const replay = await exchange(baseUrl, code, verifier);
    assert.equal(replay.status, 400);
    assert.equal(JSON.parse(replay.body).error, 'invalid_grant');
    assert.equal(await refreshError(oauthDriver(baseUrl), tokens.refresh_token), 'invalid_grant');
    assert.deepEqual(await profileStatus(baseUrl, tokens.access_token), { status: 401, code: 'invalid_token' });
  });
});

describe('refresh tokens', () => {
  it('rotate on every use, and the new access token works', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const session = await signedIn(baseUrl);
    const first = await driver.refresh(session.refreshToken);
    assert.notEqual(first.refreshToken, session.refreshToken);
    assert.notEqual(first.accessToken, session.accessToken);
    const second = await driver.refresh(first.refreshToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal(decodeJwt(second.accessToken).sub, session.customerId);
    assert.equal((await profileStatus(baseUrl, second.accessToken)).status, 200);
  });

  it('used twice revoke the whole family: every refresh token and access token of the grant', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const session = await signedIn(baseUrl);
    const rotated = await driver.refresh(session.refreshToken);
    // An attacker replays the stolen, already rotated token.
    assert.equal(await refreshError(driver, session.refreshToken), 'invalid_grant');
    // The legitimate holder's newer token is dead too, and so are the access tokens.
    assert.equal(await refreshError(driver, rotated.refreshToken), 'invalid_grant');
    assert.deepEqual(await profileStatus(baseUrl, rotated.accessToken), { status: 401, code: 'invalid_token' });
    assert.deepEqual(await profileStatus(baseUrl, session.accessToken), { status: 401, code: 'invalid_token' });
  });

  it('used concurrently twice: exactly one use wins, then the family is revoked', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const session = await signedIn(baseUrl);
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
    assert.equal((await profileStatus(baseUrl, renewed.accessToken)).status, 200);
  });
});

describe('ending a sign-in', () => {
  it('revocation of the refresh token ends the grant: refresh and access tokens stop working', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const session = await signedIn(baseUrl);
    assert.equal((await profileStatus(baseUrl, session.accessToken)).status, 200);
    await driver.revoke(session.refreshToken);
    assert.equal(await refreshError(driver, session.refreshToken), 'invalid_grant');
    assert.deepEqual(await profileStatus(baseUrl, session.accessToken), { status: 401, code: 'invalid_token' });
    const challenge = await fetch(`${baseUrl}/api/v1/customers/me`, {
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    assert.match(challenge.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  it('revoking a token that does not exist answers 200 and changes nothing (RFC 7009)', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const session = await signedIn(baseUrl);
    await driver.revoke('no-such-token');
    assert.equal((await driver.refresh(session.refreshToken)).expiresIn, 600);
  });

  it('logout ends the session and the grant: refresh and access tokens stop working', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const driver = oauthDriver(baseUrl);
    const session = await signedIn(baseUrl);
    await session.logout();
    assert.equal(await refreshError(driver, session.refreshToken), 'invalid_grant');
    assert.deepEqual(await profileStatus(baseUrl, session.accessToken), { status: 401, code: 'invalid_token' });
  });
});
