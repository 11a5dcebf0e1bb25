import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type InjectTarget, oauthDriver } from '@nextgen/testkit';
import { dummyPasswordHash, hashPassword, passwordVerifications } from '../src/identity/password-hashing.ts';
import { loginFailuresPerAccountMax, loginFailuresPerIpMax } from '../src/platform/constants.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const lin = { name: 'Lin Chen', email: 'lin.chen@example.com', password: 'paper lanterns over the river' };
const wrongPassword = 'not the password at all';

async function withCustomer(t: Parameters<typeof buildTestApp>[0]): Promise<TestApp> {
  const testApp = await buildTestApp(t);
  await oauthDriver(testApp.app).registerCustomer(lin);
  return testApp;
}

/** The app as seen from one client IP address. */
function fromIp(testApp: TestApp, remoteAddress: string): InjectTarget {
  return { inject: (options) => testApp.app.inject({ ...options, remoteAddress }) };
}

async function attempt(target: InjectTarget, email: string, password: string) {
  const signIn = await oauthDriver(target).beginSignIn();
  const response = await signIn.submit(email, password);
  return { signIn, response };
}

describe('hosted sign-in page', () => {
  it('is an accessible, self-contained HTML form with a strict Content-Security-Policy', async (t) => {
    const testApp = await withCustomer(t);
    const { loginPage } = await oauthDriver(testApp.app).beginSignIn();
    assert.equal(loginPage.status, 200);
    const html = loginPage.body;
    assert.match(loginPage.headers['content-type'] ?? '', /^text\/html; charset=utf-8/);
    assert.match(loginPage.headers['content-security-policy'] ?? '', /default-src 'none'/);
    assert.equal(loginPage.headers['x-frame-options'], 'DENY');
    assert.equal(loginPage.headers['cache-control'], 'no-store');
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<label for="email">/);
    assert.match(html, /<label for="password">/);
    assert.match(html, /autocomplete="current-password"/);
    assert.doesNotMatch(html, /<script|src=|href=/, 'no scripts and no external assets');
    const { response } = await attempt(testApp.app, lin.email, wrongPassword);
    assert.equal(response.status, 401);
    assert.match(response.body, /role="alert"/);
  });

  it('does not open without the interaction cookie the authorization server set', async (t) => {
    const testApp = await withCustomer(t);
    const { loginPath } = await oauthDriver(testApp.app).beginSignIn();
    const page = await testApp.app.inject({ url: loginPath });
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /This sign-in page has expired/);
  });

  it('escapes everything it writes into the page', async (t) => {
    const testApp = await withCustomer(t);
    const hostile = '"><script>alert(1)</script>';
    const { response } = await attempt(testApp.app, hostile, wrongPassword);
    assert.equal(response.status, 401);
    assert.doesNotMatch(response.body, /<script>/);
    assert.match(response.body, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('refuses a form posted without the interaction cookie (cross-site forgery) and changes nothing', async (t) => {
    const testApp = await withCustomer(t);
    const signIn = await oauthDriver(testApp.app).beginSignIn();
    const forged = await testApp.app.inject({
      method: 'POST',
      url: `${signIn.loginPath}/login`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email: lin.email, password: lin.password }).toString(),
    });
    assert.equal(forged.statusCode, 400);
    assert.match(forged.body, /expired/);
    assert.equal(forged.headers['set-cookie'], undefined);
    // The real page is still usable.
    assert.equal((await signIn.submit(lin.email, lin.password)).status, 303);
  });

  it('refuses a malformed form with validation_failed', async (t) => {
    const testApp = await withCustomer(t);
    const signIn = await oauthDriver(testApp.app).beginSignIn();
    const response = await testApp.app.inject({
      method: 'POST',
      url: `${signIn.loginPath}/login`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=lin.chen%40example.com&remember=1',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'validation_failed');
  });

  it('sends the customer back to the app with access_denied when they cancel', async (t) => {
    const testApp = await withCustomer(t);
    const callback = await (await oauthDriver(testApp.app).beginSignIn()).cancel();
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('code'), null);
  });
});

describe('wrong credentials', () => {
  it('answer an unknown e-mail exactly as a wrong password: same status, same page', async (t) => {
    const testApp = await withCustomer(t);
    const wrong = await attempt(testApp.app, lin.email, wrongPassword);
    const unknown = await attempt(testApp.app, 'nobody@example.com', wrongPassword);
    assert.equal(wrong.response.status, 401);
    assert.equal(unknown.response.status, 401);
    const normalize = (body: string, uid: string, email: string) =>
      body.replaceAll(uid.replace('/interaction/', ''), 'UID').replaceAll(email, 'EMAIL');
    assert.equal(
      normalize(wrong.response.body, wrong.signIn.loginPath, lin.email),
      normalize(unknown.response.body, unknown.signIn.loginPath, 'nobody@example.com'),
    );
    assert.match(wrong.response.body, /e-mail address or password is incorrect/);
  });

  it('do the same argon2 work for an unknown e-mail as for a wrong password', async (t) => {
    // Timing is measured in bench/, not here: this proves the cause of equal timing instead. Both
    // answers cost exactly one argon2id verification, against hashes with the same parameters.
    const testApp = await withCustomer(t);
    const verificationsFor = async (email: string) => {
      const signIn = await oauthDriver(testApp.app).beginSignIn();
      const before = passwordVerifications.count;
      await signIn.submit(email, wrongPassword);
      return passwordVerifications.count - before;
    };
    assert.equal(await verificationsFor(lin.email), 1);
    assert.equal(await verificationsFor('nobody@example.com'), 1);
    const parameters = (phc: string) => phc.split('$').slice(1, 4).join('$');
    assert.equal(parameters(await dummyPasswordHash()), parameters(await hashPassword(lin.password)));
    assert.match(await dummyPasswordHash(), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('brute-force protection', () => {
  it('locks an account out after 5 failed attempts, even for the right password, with 429 and Retry-After', async (t) => {
    const testApp = await withCustomer(t);
    for (let i = 0; i < loginFailuresPerAccountMax; i += 1) {
      assert.equal((await attempt(testApp.app, lin.email, wrongPassword)).response.status, 401);
    }
    const locked = await attempt(testApp.app, lin.email, lin.password);
    assert.equal(locked.response.status, 429);
    assert.match(locked.response.body, /Too many sign-in attempts/);
    const retryAfterS = Number(locked.response.headers['retry-after']);
    assert.ok(retryAfterS > 800 && retryAfterS <= 900, `Retry-After ${retryAfterS}`);
    // Another customer on the same network is not affected.
    const other = { ...lin, email: 'other@example.com' };
    await oauthDriver(testApp.app).registerCustomer(other);
    assert.equal((await attempt(testApp.app, other.email, other.password)).response.status, 303);
  });

  it('locks out an unknown e-mail the same way, so a lockout reveals nothing', async (t) => {
    const testApp = await withCustomer(t);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i <= loginFailuresPerAccountMax; i += 1) {
      known.push((await attempt(testApp.app, lin.email, wrongPassword)).response.status);
      unknown.push((await attempt(testApp.app, 'nobody@example.com', wrongPassword)).response.status);
    }
    assert.deepEqual(unknown, known);
    assert.deepEqual(known, [401, 401, 401, 401, 401, 429]);
  });

  it('counts the e-mail case-insensitively', async (t) => {
    const testApp = await withCustomer(t);
    for (let i = 0; i < loginFailuresPerAccountMax; i += 1) {
      const email = i % 2 === 0 ? lin.email.toUpperCase() : lin.email;
      assert.equal((await attempt(testApp.app, email, wrongPassword)).response.status, 401);
    }
    assert.equal((await attempt(testApp.app, lin.email, lin.password)).response.status, 429);
  });

  it('forgets failed attempts after a successful sign-in', async (t) => {
    const testApp = await withCustomer(t);
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < loginFailuresPerAccountMax - 1; i += 1) {
        assert.equal((await attempt(testApp.app, lin.email, wrongPassword)).response.status, 401);
      }
      const { signIn, response } = await attempt(testApp.app, lin.email, lin.password);
      assert.equal(response.status, 303);
      assert.match((await signIn.finish()).customerId, /^cus_/);
    }
  });

  it('pauses a client IP after 20 failures across accounts; other IPs still sign in', async (t) => {
    const testApp = await withCustomer(t);
    const attacker = fromIp(testApp, '203.0.113.7');
    for (let i = 0; i < loginFailuresPerIpMax; i += 1) {
      const { response } = await attempt(attacker, `victim.${i}@example.com`, wrongPassword);
      assert.equal(response.status, 401, `attempt ${i + 1}`);
    }
    const paused = await attempt(attacker, lin.email, lin.password);
    assert.equal(paused.response.status, 429);
    assert.ok(Number(paused.response.headers['retry-after']) > 0);
    const elsewhere = await attempt(fromIp(testApp, '198.51.100.20'), lin.email, lin.password);
    assert.equal(elsewhere.response.status, 303);
  });
});
