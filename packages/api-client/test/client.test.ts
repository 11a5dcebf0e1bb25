import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { createSoftwareAuthenticator } from '@nextgen/testkit';
import { openAccount, registerPasskey } from '../../../apps/api/test/fixtures.ts';
import { buildTestApp, type TestApp } from '../../../apps/api/test/helper.ts';
import {
  ApiProblem,
  createApiClient,
  createMemoryTokenStore,
  dpopKeyPairOf,
  generateDpopKeys,
  jwkThumbprint,
  newIdempotencyKey,
  SignInRedirectError,
} from '../src/index.ts';
import { appFetch, browserSignIn, type Exchange } from './app-fetch.ts';

/**
 * The client against the real API (buildTestApp: real routes, real authorization server, real
 * PostgreSQL), its sign-in driven with its own primitives: PAR with a DPoP proof, the login page,
 * the redirect's checks, the code exchange; then real calls through the typed client.
 */
const baseUrl = 'http://localhost:3000';
/** A same-origin web redirect, configured as the web build needs it (docs/api/authentication.md). */
const webRedirectUri = `${baseUrl}/auth/callback`;
const password = 'correct horse battery staple';

const payloadOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const isTokenCall = (e: Exchange, grant: string) =>
  e.url.endsWith('/oidc/token') && new URLSearchParams(e.requestBody).get('grant_type') === grant;

async function signedInClient(t: TestContext, wrap?: (inner: typeof fetch) => typeof fetch) {
  const testApp = await buildTestApp(t, {
    env: { MOBILE_REDIRECT_URIS: `nextgen://oauth/callback,${webRedirectUri}` },
  });
  const log: Exchange[] = [];
  const inner = appFetch(testApp.app, log);
  const fetchApp = wrap ? wrap(inner) : inner;
  const dpop = await dpopKeyPairOf(crypto.subtle, await generateDpopKeys(crypto.subtle));
  const tokens = createMemoryTokenStore();
  const api = createApiClient({ baseUrl, dpop, tokens, fetch: fetchApp, retry: { waitMaxMs: 2_000 } });
  const email = `ada-${randomUUID()}@example.com`;
  const registered = await api.POST('/api/v1/customers', { body: { name: 'Ada Lovelace', email, password } });
  const customerId = registered.data?.id ?? '';
  const pending = await api.auth.beginSignIn({ redirectUri: webRedirectUri });
  const callbackUrl = await browserSignIn(fetchApp, pending.authorizationUrl, webRedirectUri, { email, password });
  await api.completeSignIn(callbackUrl, pending);
  return { testApp, api, tokens, dpop, log, customerId, fetchApp, pending, callbackUrl };
}

/** KYC-verified at the top tier, as fixtures.ts createCustomer makes customers, so they move money. */
async function verifyKyc(testApp: TestApp, customerId: string): Promise<void> {
  await testApp.deps.db.query(
    `INSERT INTO kyc_profiles (customer_id, status, tier, decided_at, decided_by) VALUES ($1, 'verified', 3, now(), 'system')
     ON CONFLICT (customer_id) DO UPDATE SET status = 'verified', tier = 3, decided_at = now(), decided_by = 'system'`,
    [customerId],
  );
}

describe('signing in with the client primitives', () => {
  it('pushes the request with a proof, checks state and iss, and gets DPoP-bound tokens', async (t) => {
    const { api, tokens, dpop, log, customerId, pending, callbackUrl } = await signedInClient(t);
    const par = log.filter((e) => e.url.endsWith('/oidc/request'));
    assert.deepEqual(
      par.map((e) => e.status),
      [400, 201],
      'the first proof has no nonce; the retry carries it',
    );
    assert.equal(new URLSearchParams(par[1]?.requestBody).get('code_challenge_method'), 'S256');
    const saved = await tokens.load();
    assert.ok(saved?.refreshToken);
    const claims = payloadOf(saved.accessToken);
    assert.equal(claims.sub, customerId);
    assert.deepEqual(claims.cnf, { jkt: await jwkThumbprint(crypto.subtle, dpop.publicJwk) });

    const me = await api.GET('/api/v1/customers/me');
    assert.equal(me.data?.id, customerId);

    const forged = new URL(callbackUrl);
    forged.searchParams.set('iss', 'https://attacker.example/oidc');
    await assert.rejects(api.auth.completeSignIn(forged.href, pending), (e: unknown) => {
      return e instanceof SignInRedirectError && e.code === 'issuer_mismatch';
    });
    await assert.rejects(api.auth.completeSignIn(callbackUrl, { ...pending, state: 'another' }), {
      code: 'state_mismatch',
    });
    const refused = new URL(webRedirectUri);
    refused.search = new URLSearchParams({
      error: 'access_denied',
      state: pending.state,
      iss: await api.auth.issuer(),
    }).toString();
    await assert.rejects(api.auth.completeSignIn(refused.href, pending), {
      code: 'authorization_error',
      oauthError: 'access_denied',
    });
  });

  it('signs each API call: htm, htu without query, ath of the token, a fresh jti and the nonce', async (t) => {
    const { api, tokens, log } = await signedInClient(t);
    await api.GET('/api/v1/sessions', { params: { query: { limit: 5 } } });
    await api.GET('/api/v1/sessions', { params: { query: { limit: 5 } } });
    const calls = log.filter((e) => e.url.includes('/api/v1/sessions'));
    assert.deepEqual(
      calls.map((e) => e.status),
      [200, 200],
    );
    const accessToken = (await tokens.load())?.accessToken ?? '';
    const proofs = calls.map((e) => payloadOf(e.requestHeaders.get('dpop') ?? ''));
    for (const proof of proofs) {
      assert.equal(proof.htm, 'GET');
      assert.equal(proof.htu, `${baseUrl}/api/v1/sessions`);
      assert.equal(proof.ath, createHash('sha256').update(accessToken).digest('base64url'));
      assert.equal(typeof proof.nonce, 'string');
    }
    assert.notEqual(proofs[0]?.jti, proofs[1]?.jti);
  });

  it('answers use_dpop_nonce once by signing again with the nonce the API sent', async (t) => {
    const { tokens, dpop, fetchApp, log } = await signedInClient(t);
    // Another client on the same device knows no nonce yet: the API asks for one.
    const fresh = createApiClient({ baseUrl, dpop, tokens, fetch: fetchApp });
    const before = log.length;
    const me = await fresh.GET('/api/v1/customers/me');
    assert.ok(me.data?.id);
    const calls = log.slice(before);
    assert.deepEqual(
      calls.map((e) => e.status),
      [401, 200],
    );
    assert.match(calls[0]?.responseHeaders.get('www-authenticate') ?? '', /use_dpop_nonce/);
    assert.equal(
      payloadOf(calls[1]?.requestHeaders.get('dpop') ?? '').nonce,
      calls[0]?.responseHeaders.get('dpop-nonce'),
    );
  });
});

describe('refresh-token rotation', () => {
  it('refreshes once for concurrent callers refused with invalid_token and keeps the rotated token', async (t) => {
    const { api, tokens, log, customerId } = await signedInClient(t);
    const signedIn = await tokens.load();
    assert.ok(signedIn?.refreshToken);
    // An access token the API refuses (as when it was revoked or has expired at the server).
    await tokens.save({ ...signedIn, accessToken: `${signedIn.accessToken.slice(0, -4)}AAAA` });
    const answers = await Promise.all([
      api.GET('/api/v1/customers/me'),
      api.GET('/api/v1/sessions'),
      api.GET('/api/v1/accounts'),
    ]);
    assert.equal(answers[0].data?.id, customerId);
    assert.ok(answers[1].data && answers[2].data);
    assert.equal(log.filter((e) => isTokenCall(e, 'refresh_token') && e.status === 200).length, 1);
    const rotated = await tokens.load();
    assert.ok(rotated?.refreshToken);
    assert.notEqual(rotated.refreshToken, signedIn.refreshToken);
    assert.notEqual(rotated.accessToken, signedIn.accessToken);
  });

  it('refreshes before the call when the access token has expired, once for every caller', async (t) => {
    const { api, tokens, log } = await signedInClient(t);
    const signedIn = await tokens.load();
    assert.ok(signedIn);
    await tokens.save({ ...signedIn, accessTokenExpiresAtMs: Date.now() - 1 });
    await Promise.all([api.GET('/api/v1/customers/me'), api.GET('/api/v1/customers/me')]);
    assert.equal(log.filter((e) => isTokenCall(e, 'refresh_token')).length, 1);
    assert.ok(((await tokens.load())?.accessTokenExpiresAtMs ?? 0) > Date.now());
  });

  it('signs out when the refresh is refused', async (t) => {
    const { api, tokens } = await signedInClient(t);
    const signedIn = await tokens.load();
    assert.ok(signedIn);
    const reasons: string[] = [];
    api.onSignedOut((reason) => reasons.push(reason));
    await tokens.save({ ...signedIn, accessToken: 'not-a-token', refreshToken: 'spent-or-unknown' });
    await assert.rejects(api.GET('/api/v1/customers/me'), (e: unknown) => e instanceof ApiProblem && e.status === 401);
    assert.deepEqual(reasons, ['refresh_refused']);
    assert.equal(await tokens.load(), undefined);
  });

  it('signs out by revoking the grant: the old refresh token no longer works', async (t) => {
    const { api, tokens, dpop, fetchApp } = await signedInClient(t);
    const refreshToken = (await tokens.load())?.refreshToken ?? '';
    await api.signOut();
    assert.equal(await tokens.load(), undefined);
    const other = createApiClient({ baseUrl, dpop, tokens: createMemoryTokenStore(), fetch: fetchApp });
    await assert.rejects(other.auth.refresh(refreshToken), { code: 'invalid_grant' });
  });
});

/** A front door (a load balancer) that answers 503 Retry-After: 0 to the first call of each path. */
function busyOnce(paths: readonly string[], seen: string[]) {
  return (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      if (paths.includes(path) && !seen.includes(`${request.method} ${path}`)) {
        seen.push(`${request.method} ${path}`);
        return new Response(JSON.stringify({ code: 'service_unavailable', detail: 'Try again.' }), {
          status: 503,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '0' },
        });
      }
      return inner(request);
    };
}

describe('503 with Retry-After', () => {
  it('repeats safe calls and calls with an Idempotency-Key, and surfaces the others', async (t) => {
    const seen: string[] = [];
    const busy = ['/api/v1/accounts', '/api/v1/transfers'];
    const { api, testApp, customerId, log } = await signedInClient(t, busyOnce(busy, seen));
    const listed = await api.GET('/api/v1/accounts');
    assert.deepEqual(listed.data?.data, []);

    // Opening an account carries no Idempotency-Key: repeating it could open two. Surfaced.
    const before = log.length;
    await assert.rejects(api.POST('/api/v1/accounts', { body: { type: 'checking', currency: 'EUR' } }), {
      name: 'ApiProblem',
      status: 503,
      retryAfterS: 0,
    });
    assert.equal(log.length, before, 'the refused call was not repeated');

    await verifyKyc(testApp, customerId);
    const from = await openAccount(testApp, customerId, { fundMinor: 50_00n });
    const to = await openAccount(testApp, customerId);
    const key = newIdempotencyKey();
    const moved = await api.POST('/api/v1/transfers', {
      params: { header: { 'idempotency-key': key } },
      body: { fromAccountId: from.id, to: { accountId: to.id }, amount: { amount: '12.50', currency: 'EUR' } },
    });
    assert.equal(moved.response.status, 201);
    assert.deepEqual(seen, ['GET /api/v1/accounts', 'POST /api/v1/accounts', 'POST /api/v1/transfers']);
  });
});

/** A front door that answers 503 to every call of one path, with the given Retry-After. */
function alwaysBusy(pathname: string, retryAfter: string, seen: string[]) {
  return (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname !== pathname) return inner(request);
      seen.push(request.method);
      return new Response('<html>busy</html>', { status: 503, headers: { 'retry-after': retryAfter } });
    };
}

describe('503 that does not end', () => {
  it('repeats a safe call at most twice, then throws', async (t) => {
    const seen: string[] = [];
    const { api } = await signedInClient(t, alwaysBusy('/api/v1/sessions', '0', seen));
    await assert.rejects(api.GET('/api/v1/sessions'), { name: 'ApiProblem', status: 503, code: 'http_503' });
    assert.deepEqual(seen, ['GET', 'GET', 'GET']);
  });

  it('does not wait out a Retry-After longer than its bound', async (t) => {
    const seen: string[] = [];
    const { api } = await signedInClient(t, alwaysBusy('/api/v1/sessions', '3600', seen));
    await assert.rejects(api.GET('/api/v1/sessions'), { status: 503, retryAfterS: 3600 });
    assert.deepEqual(seen, ['GET']);
  });
});

describe('problem+json', () => {
  it('is thrown as an ApiProblem with its code, detail and field errors', async (t) => {
    const { api, testApp, customerId } = await signedInClient(t);
    await verifyKyc(testApp, customerId);
    const from = await openAccount(testApp, customerId, { fundMinor: 10_00n });
    const to = await openAccount(testApp, customerId);
    const problem = await api
      .POST('/api/v1/transfers', {
        params: { header: { 'idempotency-key': newIdempotencyKey() } },
        body: { fromAccountId: from.id, to: { accountId: to.id }, amount: { amount: '1.234', currency: 'EUR' } },
      })
      .catch((e: unknown) => e);
    assert.ok(problem instanceof ApiProblem, String(problem));
    assert.equal(problem.status, 400);
    assert.equal(typeof problem.code, 'string');
    assert.ok(problem.detail.length > 0);
    assert.ok(problem.errorsAt('/body/amount').length > 0, JSON.stringify(problem.errors));
  });

  it('carries the step-up challenge, and the same call with the approval succeeds', async (t) => {
    const { api, testApp, customerId } = await signedInClient(t);
    const account = await openAccount(testApp, customerId);
    const authenticator = createSoftwareAuthenticator({ origin: baseUrl });
    await registerPasskey(testApp, customerId, authenticator);
    const params = { path: { id: account.id } };
    const asked = await api.POST('/api/v1/accounts/{id}/reveal', { params, body: {} }).catch((e: unknown) => e);
    assert.ok(asked instanceof ApiProblem && asked.stepUp, String(asked));
    assert.equal(asked.code, 'step_up_required');
    assert.equal(asked.stepUp.purpose, 'reveal_account');
    const assertion = authenticator.getAssertion(asked.stepUp.publicKey as { challenge: string; rpId: string });
    const revealed = await api.POST('/api/v1/accounts/{id}/reveal', {
      params,
      body: { stepUp: { challengeId: asked.stepUp.challengeId, assertion } },
    });
    assert.equal(revealed.data?.iban, account.iban);
  });
});
