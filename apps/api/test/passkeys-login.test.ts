import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import {
  type CeremonyOverrides,
  createSoftwareAuthenticator,
  oauthDriver,
  passkeyStep,
  type SoftwareAuthenticator,
  signInWithPasskey,
  signInWithPasswordAndPasskey,
} from '@nextgen/testkit';
import { loginFailuresPerAccountMax } from '../src/platform/constants.ts';
import { registerPasskey } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const origin = 'http://localhost:3000';

interface Customer {
  readonly id: string;
  readonly email: string;
  readonly password: string;
}

async function newCustomer(testApp: TestApp): Promise<Customer> {
  const credentials = {
    email: `${randomBytes(6).toString('hex')}@example.com`,
    password: 'seven quiet herons at dawn',
  };
  const { id } = await oauthDriver(testApp.app).registerCustomer({ name: 'Tomás Rivera', ...credentials });
  return { id, ...credentials };
}

/** A customer with one passkey on `authenticator`. */
async function setUp(t: TestContext) {
  const testApp = await buildTestApp(t);
  const customer = await newCustomer(testApp);
  const authenticator = createSoftwareAuthenticator({ origin });
  const passkeyId = await registerPasskey(testApp, customer.id, authenticator);
  return { testApp, customer, authenticator, passkeyId };
}

const amrOf = (idToken: string) =>
  (JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { amr?: string[] }).amr;

/** Password accepted, then the passkey step bent by `overrides`; returns the step's answer. */
async function passwordThenPasskey(
  testApp: TestApp,
  customer: Customer,
  authenticator: SoftwareAuthenticator,
  overrides: CeremonyOverrides = {},
) {
  const attempt = await oauthDriver(testApp.app).beginSignIn();
  const submitted = await attempt.submit(customer.email, customer.password);
  assert.equal(submitted.status, 303);
  return { attempt, response: await passkeyStep(attempt, authenticator, overrides) };
}

describe('password and passkey', () => {
  it('asks a customer who has a passkey for it after the password, and signs in with amr pwd+hwk+user', async (t) => {
    const { testApp, customer, authenticator, passkeyId } = await setUp(t);
    const attempt = await oauthDriver(testApp.app).beginSignIn();
    const submitted = await attempt.submit(customer.email, customer.password);
    assert.equal(submitted.status, 303);
    assert.equal(submitted.headers.location, `${attempt.loginPath}/passkey`);
    const page = await attempt.request({ method: 'GET', path: `${attempt.loginPath}/passkey` });
    assert.equal(page.status, 200);
    assert.match(page.body, /Your password was correct/);
    const step = await passkeyStep(attempt, authenticator);
    assert.equal(step.status, 200, step.body);
    const signedIn = await attempt.finish();
    assert.equal(signedIn.customerId, customer.id);
    assert.deepEqual(amrOf(signedIn.idToken), ['pwd', 'hwk', 'user']);
    const listed = await testApp.injectAs(customer.id, { method: 'GET', url: '/api/v1/passkeys' });
    const [passkey] = listed.json().data;
    assert.equal(passkey.id, passkeyId);
    assert.notEqual(passkey.lastUsedAt, null);
  });

  it('does not finish signing in on the password alone once the customer has a passkey', async (t) => {
    const { testApp, customer } = await setUp(t);
    const attempt = await oauthDriver(testApp.app).beginSignIn();
    assert.equal((await attempt.submit(customer.email, customer.password)).status, 303);
    await assert.rejects(attempt.finish(), /no authorization code came back/);
  });

  it('still signs in a customer without passkeys with the password alone (amr pwd)', async (t) => {
    const testApp = await buildTestApp(t);
    const customer = await newCustomer(testApp);
    const signedIn = await oauthDriver(testApp.app).signIn(customer);
    assert.equal(signedIn.customerId, customer.id);
    assert.deepEqual(amrOf(signedIn.idToken), ['pwd']);
  });

  it("refuses another customer's passkey for the passkey step", async (t) => {
    const { testApp, customer } = await setUp(t);
    const other = await newCustomer(testApp);
    const othersAuthenticator = createSoftwareAuthenticator({ origin });
    await registerPasskey(testApp, other.id, othersAuthenticator);
    const { response } = await passwordThenPasskey(testApp, customer, othersAuthenticator, {
      credentialId: othersAuthenticator.credentialIds()[0],
    });
    assert.equal(response.status, 401);
    assert.equal(JSON.parse(response.body).code, 'passkey_rejected');
  });

  for (const [behaviour, overrides] of [
    ['an assertion made for another origin', { origin: 'https://evil.example' }],
    ['an assertion made for another RP ID', { rpId: 'evil.example' }],
    ['an assertion made without user verification', { userVerified: false }],
    ['an assertion over another challenge', { challenge: randomBytes(32).toString('base64url') }],
  ] as const) {
    it(`refuses ${behaviour}`, async (t) => {
      const { testApp, customer, authenticator } = await setUp(t);
      const { attempt, response } = await passwordThenPasskey(testApp, customer, authenticator, overrides);
      assert.equal(response.status, 401);
      assert.equal(JSON.parse(response.body).code, 'passkey_rejected');
      await assert.rejects(attempt.finish());
    });
  }

  it('refuses a revoked passkey', async (t) => {
    const { testApp, customer, authenticator, passkeyId } = await setUp(t);
    // A second passkey keeps the passkey step on after the first is revoked.
    await registerPasskey(testApp, customer.id, createSoftwareAuthenticator({ origin }));
    await testApp.injectAs(customer.id, { method: 'DELETE', url: `/api/v1/passkeys/${passkeyId}` });
    const { response } = await passwordThenPasskey(testApp, customer, authenticator, {
      credentialId: authenticator.credentialIds()[0],
    });
    assert.equal(response.status, 401);
  });

  it('refuses a cloned authenticator whose counter went back', async (t) => {
    const { testApp, customer, authenticator } = await setUp(t);
    await signInWithPasswordAndPasskey(oauthDriver(testApp.app), customer, authenticator);
    await signInWithPasswordAndPasskey(oauthDriver(testApp.app), customer, authenticator);
    const [credentialId = ''] = authenticator.credentialIds();
    authenticator.setCounter(credentialId, 0); // the clone was copied before those two sign-ins
    const { response } = await passwordThenPasskey(testApp, customer, authenticator);
    assert.equal(response.status, 401);
  });

  it('refuses an assertion replayed into another sign-in', async (t) => {
    const { testApp, customer, authenticator } = await setUp(t);
    const first = await passwordThenPasskey(testApp, customer, authenticator);
    assert.equal(first.response.status, 200);
    const options = await oauthDriver(testApp.app).beginSignIn();
    assert.equal((await options.submit(customer.email, customer.password)).status, 303);
    // The attacker captured the first assertion; this sign-in's options carry a new challenge.
    const captured = authenticator.getAssertion({ challenge: 'AAAA', rpId: 'localhost' });
    await options.request({ method: 'POST', path: `${options.loginPath}/passkey/options` });
    const replay = await options.request({
      method: 'POST',
      path: `${options.loginPath}/passkey`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential: captured }),
    });
    assert.equal(replay.status, 401);
  });

  it('needs fresh options for every passkey attempt', async (t) => {
    const { testApp, customer, authenticator } = await setUp(t);
    const { attempt } = await passwordThenPasskey(testApp, customer, authenticator, { userVerified: false });
    const again = await attempt.request({
      method: 'POST',
      path: `${attempt.loginPath}/passkey`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential: authenticator.getAssertion({ challenge: 'AAAA', rpId: 'localhost' }) }),
    });
    assert.equal(again.status, 400);
    assert.equal(JSON.parse(again.body).code, 'sign_in_expired');
  });

  it('pauses passkey attempts after too many failures, as it does passwords', async (t) => {
    const { testApp, customer, authenticator } = await setUp(t);
    for (let i = 0; i < loginFailuresPerAccountMax; i += 1) {
      const { response } = await passwordThenPasskey(testApp, customer, authenticator, { userVerified: false });
      assert.equal(response.status, 401);
    }
    const { response } = await passwordThenPasskey(testApp, customer, authenticator);
    assert.equal(response.status, 429);
    assert.equal(JSON.parse(response.body).code, 'rate_limited');
    assert.ok(Number(response.headers['retry-after']) > 0);
  });
});

describe('passwordless sign-in', () => {
  it('signs in with a passkey alone, without an e-mail or password (amr hwk+user)', async (t) => {
    const { testApp, customer, authenticator } = await setUp(t);
    const attempt = await oauthDriver(testApp.app).beginSignIn();
    const options = await attempt.request({ method: 'POST', path: `${attempt.loginPath}/passkey/options` });
    assert.equal(options.status, 200);
    assert.deepEqual(JSON.parse(options.body).allowCredentials, [], 'a discoverable credential answers');
    const signedIn = await signInWithPasskey(oauthDriver(testApp.app), authenticator);
    assert.equal(signedIn.customerId, customer.id);
    assert.deepEqual(amrOf(signedIn.idToken), ['hwk', 'user']);
  });

  it('refuses a passkey that no customer holds', async (t) => {
    const { testApp } = await setUp(t);
    const stranger = createSoftwareAuthenticator({ origin });
    stranger.createCredential({
      challenge: 'AAAA',
      rp: { id: 'localhost', name: 'NextGen' },
      user: { id: 'dXNlcg', name: 'x', displayName: 'x' },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
    });
    const attempt = await oauthDriver(testApp.app).beginSignIn();
    const response = await passkeyStep(attempt, stranger);
    assert.equal(response.status, 401);
  });

  it('refuses a passkey whose user handle names another customer', async (t) => {
    const { testApp, authenticator } = await setUp(t);
    const attempt = await oauthDriver(testApp.app).beginSignIn();
    const options = JSON.parse(
      (await attempt.request({ method: 'POST', path: `${attempt.loginPath}/passkey/options` })).body,
    );
    const credential = authenticator.getAssertion(options);
    credential.response.userHandle = Buffer.from('cus_someoneelse').toString('base64url');
    const response = await attempt.request({
      method: 'POST',
      path: `${attempt.loginPath}/passkey`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential }),
    });
    assert.equal(response.status, 401);
  });

  it('serves the passkey page with its one script allowed by hash, and nothing external', async (t) => {
    const { testApp } = await setUp(t);
    const attempt = await oauthDriver(testApp.app).beginSignIn();
    assert.match(attempt.loginPage.body, /Sign in with a passkey/);
    const page = await attempt.request({ method: 'GET', path: `${attempt.loginPath}/passkey` });
    assert.equal(page.status, 200);
    const script = /<script>([\s\S]*)<\/script>/.exec(page.body)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    assert.doesNotThrow(() => new Function(script), 'the script parses');
    const csp = page.headers['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.ok(csp.includes(`script-src 'sha256-${hash}'`), csp);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(page.body, /src=|href=|\son[a-z]+=/, 'no external assets and no inline handlers');
  });

  it('answers sign_in_expired without the sign-in page cookie', async (t) => {
    const { testApp } = await setUp(t);
    const attempt = await oauthDriver(testApp.app).beginSignIn();
    const response = await testApp.app.inject({ method: 'POST', url: `${attempt.loginPath}/passkey/options` });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'sign_in_expired');
  });
});
