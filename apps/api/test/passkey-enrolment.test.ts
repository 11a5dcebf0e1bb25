import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { createSoftwareAuthenticator, oauthDriver } from '@nextgen/testkit';
import type { LightMyRequestResponse } from 'fastify';
import { recentSignInMaxAgeS } from '../src/platform/constants.ts';
import { registerPasskey } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Strong authentication before the account's authenticators change (ADR 0013): a stolen access
 * token alone must not enrol the thief's passkey (which would then approve payments), nor revoke the
 * customer's passkeys or sign their other devices out.
 */
const origin = 'http://localhost:3000';
const optionsUrl = '/api/v1/passkeys/registration-options';

async function setUp(t: TestContext) {
  const testApp = await buildTestApp(t);
  const customer = await oauthDriver(testApp.app).registerCustomer({
    name: 'Grace Hopper',
    email: `${randomBytes(6).toString('hex')}@example.com`,
    password: 'cobol compiles the navy payroll',
  });
  return { testApp, customerId: customer.id, authenticator: createSoftwareAuthenticator({ origin }) };
}

/** A request with a token whose sign-in happened `signedInAgoS` seconds ago. */
async function injectSignedInAgo(
  testApp: TestApp,
  customerId: string,
  signedInAgoS: number,
  request: { method: 'POST' | 'DELETE'; url: string },
): Promise<LightMyRequestResponse> {
  const token = await testApp.customerToken(customerId, { signedInAgoS });
  const headers = testApp.dpopHeaders(token, request.method, request.url);
  return testApp.app.inject({ ...request, headers });
}

async function activePasskeys(testApp: TestApp, customerId: string): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM passkeys WHERE customer_id = $1 AND revoked_at IS NULL',
    [customerId],
  );
  return rows[0]?.n ?? 0;
}

async function passkeyAddedEvents(testApp: TestApp, customerId: string): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM outbox_events WHERE topic = 'security.passkey_added' AND aggregate_id = $1",
    [customerId],
  );
  return rows[0]?.n ?? 0;
}

function assertRecentSignInRequired(response: {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): { code: string };
}) {
  assert.equal(response.statusCode, 401);
  assert.equal(response.json().code, 'recent_sign_in_required');
  assert.match(String(response.headers['www-authenticate']), /error="insufficient_user_authentication"/);
  assert.match(String(response.headers['www-authenticate']), new RegExp(`max_age=${recentSignInMaxAgeS}`));
}

describe('adding a passkey needs strong authentication', () => {
  it('refuses to add a second passkey with only an access token and asks for an approval with an existing one', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    await registerPasskey(testApp, customerId, authenticator);
    const response = await testApp.injectAs(customerId, { method: 'POST', url: optionsUrl });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'step_up_required');
    assert.equal(response.json().stepUp.purpose, 'add_passkey');
    // The thief's authenticator never got options to answer: nothing can be completed.
    const thief = createSoftwareAuthenticator({ origin });
    const credential = thief.createCredential({
      challenge: randomBytes(32).toString('base64url'),
      rp: { id: 'localhost', name: 'NextGen' },
      user: { id: Buffer.from(customerId).toString('base64url'), name: 'thief', displayName: 'thief' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    const finished = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/passkeys',
      payload: { credential },
    });
    assert.equal(finished.statusCode, 400);
    assert.equal(finished.json().code, 'passkey_registration_expired');
    assert.equal(await activePasskeys(testApp, customerId), 1);
  });

  it('adds a second passkey approved with an existing one, alerts the customer and audits the approval', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    await registerPasskey(testApp, customerId, authenticator);
    const prompt = (await testApp.injectAs(customerId, { method: 'POST', url: optionsUrl })).json().stepUp;
    const stepUp = { challengeId: prompt.challengeId, assertion: authenticator.getAssertion(prompt.publicKey) };
    const options = await testApp.injectAs(customerId, { method: 'POST', url: optionsUrl, payload: { stepUp } });
    assert.equal(options.statusCode, 200, options.body);
    const second = createSoftwareAuthenticator({ origin });
    const created = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/passkeys',
      payload: { credential: second.createCredential(options.json()) },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(await activePasskeys(testApp, customerId), 2);
    assert.equal(await passkeyAddedEvents(testApp, customerId), 2);
    const { rows } = await testApp.deps.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM step_up_challenges WHERE id = $1 AND purpose = 'add_passkey' AND used_at IS NOT NULL`,
      [prompt.challengeId],
    );
    assert.equal(rows[0]?.n, 1);
    // The approval is single-use: replaying it cannot open another registration.
    const replay = await testApp.injectAs(customerId, { method: 'POST', url: optionsUrl, payload: { stepUp } });
    assert.equal(replay.statusCode, 403);
    assert.equal(replay.json().code, 'step_up_replayed');
  });

  it('refuses an approval given for a payment as an approval to add a passkey', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    await registerPasskey(testApp, customerId, authenticator);
    const payment = await testApp.services.stepUp.issueChallenge({
      customerId,
      purpose: 'payment',
      binding: { amount: '10.00', currency: 'EUR', payeeIban: 'DE89370400440532013000' },
    });
    const stepUp = { challengeId: payment.challengeId, assertion: authenticator.getAssertion(payment.publicKey) };
    const response = await testApp.injectAs(customerId, { method: 'POST', url: optionsUrl, payload: { stepUp } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'step_up_mismatch');
  });

  it("refuses another customer's add-passkey approval", async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    await registerPasskey(testApp, customerId, authenticator);
    const prompt = (await testApp.injectAs(customerId, { method: 'POST', url: optionsUrl })).json().stepUp;
    const stepUp = { challengeId: prompt.challengeId, assertion: authenticator.getAssertion(prompt.publicKey) };
    // Another customer presents the first customer's approval as their own.
    const secondCustomer = await oauthDriver(testApp.app).registerCustomer({
      name: 'Ada Lovelace',
      email: `${randomBytes(6).toString('hex')}@example.com`,
      password: 'analytical engine punch cards',
    });
    await registerPasskey(testApp, secondCustomer.id, createSoftwareAuthenticator({ origin }));
    const response = await testApp.injectAs(secondCustomer.id, {
      method: 'POST',
      url: optionsUrl,
      payload: { stepUp },
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'step_up_invalid');
  });

  it(`refuses a first passkey when the sign-in is older than ${recentSignInMaxAgeS / 60} minutes`, async (t) => {
    const { testApp, customerId } = await setUp(t);
    const stale = await injectSignedInAgo(testApp, customerId, recentSignInMaxAgeS + 60, {
      method: 'POST',
      url: optionsUrl,
    });
    assertRecentSignInRequired(stale);
    const fresh = await injectSignedInAgo(testApp, customerId, 10, { method: 'POST', url: optionsUrl });
    assert.equal(fresh.statusCode, 200, fresh.body);
  });

  it('refuses a first passkey with a token that does not say when the customer signed in', async (t) => {
    const { testApp, customerId } = await setUp(t);
    const token = await testApp.customerToken(customerId, { signedInAgoS: null });
    const response = await testApp.app.inject({
      method: 'POST',
      url: optionsUrl,
      headers: testApp.dpopHeaders(token, 'POST', optionsUrl),
    });
    assertRecentSignInRequired(response);
  });
});

describe('changing the e-mail or phone needs a recent sign-in', () => {
  const patchSignedInAgo = async (testApp: TestApp, customerId: string, signedInAgoS: number, payload: object) => {
    const token = await testApp.customerToken(customerId, { signedInAgoS });
    const url = '/api/v1/customers/me';
    return testApp.app.inject({ method: 'PATCH', url, payload, headers: testApp.dpopHeaders(token, 'PATCH', url) });
  };

  it('refuses to change the e-mail or phone with an old sign-in and changes nothing', async (t) => {
    const { testApp, customerId } = await setUp(t);
    const stale = recentSignInMaxAgeS + 60;
    assertRecentSignInRequired(await patchSignedInAgo(testApp, customerId, stale, { email: 'thief@example.net' }));
    assertRecentSignInRequired(await patchSignedInAgo(testApp, customerId, stale, { phone: '+442079460000' }));
    const profile = (await testApp.injectAs(customerId, { method: 'GET', url: '/api/v1/customers/me' })).json();
    assert.notEqual(profile.email, 'thief@example.net');
    assert.equal(profile.phone, null);
    const renamed = await patchSignedInAgo(testApp, customerId, stale, { name: 'Grace B. Hopper' });
    assert.equal(renamed.statusCode, 200, 'other details need no fresh sign-in');
    const fresh = await patchSignedInAgo(testApp, customerId, 10, { email: 'grace.hopper@example.com' });
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(fresh.json().email, 'grace.hopper@example.com');
  });
});

describe('revoking passkeys and signing other devices out need a recent sign-in', () => {
  it('refuses to revoke a passkey with an old sign-in and keeps it', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    const passkeyId = await registerPasskey(testApp, customerId, authenticator);
    const url = `/api/v1/passkeys/${passkeyId}`;
    assertRecentSignInRequired(
      await injectSignedInAgo(testApp, customerId, recentSignInMaxAgeS + 60, { method: 'DELETE', url }),
    );
    assert.equal(await activePasskeys(testApp, customerId), 1);
    const fresh = await injectSignedInAgo(testApp, customerId, 10, { method: 'DELETE', url });
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(await activePasskeys(testApp, customerId), 0);
  });

  it('refuses to sign another device out with an old sign-in', async (t) => {
    const testApp = await buildTestApp(t);
    const driver = oauthDriver(testApp.app);
    const customer = {
      name: 'Katherine Johnson',
      email: `${randomBytes(6).toString('hex')}@example.com`,
      password: 'orbital mechanics by hand',
    };
    const registered = await driver.registerCustomer(customer);
    const onPhone = await driver.signIn(customer);
    const listed = JSON.parse((await onPhone.api('GET', '/api/v1/sessions')).body).data as { id: string }[];
    const sessionId = listed[0]?.id ?? '';
    const url = `/api/v1/sessions/${sessionId}`;
    assertRecentSignInRequired(
      await injectSignedInAgo(testApp, registered.id, recentSignInMaxAgeS + 60, { method: 'DELETE', url }),
    );
    assert.equal((await onPhone.api('GET', '/api/v1/sessions')).status, 200, 'the session is still open');
    const fresh = await injectSignedInAgo(testApp, registered.id, 10, { method: 'DELETE', url });
    assert.equal(fresh.statusCode, 200, fresh.body);
  });

  it('lets a device sign itself out whatever the age of its sign-in', async (t) => {
    const testApp = await buildTestApp(t);
    const driver = oauthDriver(testApp.app);
    const customer = {
      name: 'Mary Jackson',
      email: `${randomBytes(6).toString('hex')}@example.com`,
      password: 'wind tunnel at langley',
    };
    await driver.registerCustomer(customer);
    const onPhone = await driver.signIn(customer);
    const claims = JSON.parse(Buffer.from(onPhone.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
    assert.equal(typeof claims.auth_time, 'number', 'the access token says when the customer signed in');
    const refreshed = await driver.refresh(onPhone.refreshToken ?? '');
    const refreshedClaims = JSON.parse(
      Buffer.from(refreshed.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    assert.equal(refreshedClaims.auth_time, claims.auth_time, 'a refresh does not make the sign-in recent');
    const listed = JSON.parse((await onPhone.api('GET', '/api/v1/sessions')).body).data as { id: string }[];
    const ended = await onPhone.api('DELETE', `/api/v1/sessions/${listed[0]?.id}`);
    assert.equal(ended.status, 200, ended.body);
  });
});
