import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import { oauthDriver, refreshErrorOf, type SignedInCustomer } from '@nextgen/testkit';
import { refreshRetrySlotOf } from '../src/identity/refresh-retry.ts';
import { refreshRetryWindowMs } from '../src/platform/constants.ts';
import { DependencyUnavailable } from '../src/platform/errors.ts';
import { buildTestApp, type TestApp, type TestAppOptions, testDatabaseKinds } from './helper.ts';

/**
 * The refresh retry window (identity/refresh-retry.ts, ADR 0135), over real HTTP through the real
 * authorization server: a repeat of a just-spent refresh token gets the answer it lost, once
 * proven by the same device key; everything else meets reuse detection as before.
 */
async function listeningApp(
  t: TestContext,
  options: TestAppOptions = {},
): Promise<{ testApp: TestApp; baseUrl: string }> {
  const testApp = await buildTestApp(t, options);
  const baseUrl = await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  return { testApp, baseUrl };
}

type Driver = ReturnType<typeof oauthDriver>;

type Credentials = { name: string; email: string; password: string };

async function signedIn(
  baseUrl: string,
): Promise<{ driver: Driver; session: SignedInCustomer; customer: Credentials }> {
  const driver = oauthDriver(baseUrl);
  const customer = {
    name: 'Ada Lovelace',
    email: `ada.${randomBytes(4).toString('hex')}@example.com`,
    password: 'the analytical engine weaves',
  };
  await driver.registerCustomer(customer);
  return { driver, session: await driver.signIn(customer), customer };
}

async function profileStatus(driver: Driver, accessToken: string): Promise<number> {
  return (await driver.api(accessToken, 'GET', '/api/v1/customers/me')).status;
}

const refreshFields = (refreshToken: string) => ({
  grant_type: 'refresh_token',
  refresh_token: refreshToken,
  client_id: 'nextgen-mobile',
});

/** The answer's headers a browser or the app reads: caching, CORS, type. */
function answerHeaders(response: { headers: Readonly<Record<string, string | undefined>> }) {
  const names = [
    'cache-control',
    'content-type',
    'access-control-allow-origin',
    'access-control-expose-headers',
    'vary',
  ];
  return Object.fromEntries(names.map((name) => [name, response.headers[name]]));
}

for (const database of testDatabaseKinds) {
  describe(`refresh retry window (${database})`, () => {
    it('answers a repeat of a spent refresh token with the same tokens; the grant and the successor keep working', async (t) => {
      const { testApp, baseUrl } = await listeningApp(t, { database });
      const { driver, session } = await signedIn(baseUrl);
      const origin = { origin: testApp.config.publicUrl };
      // The first answer is "lost": the app never stores it and sends the spent token again.
      const lost = await driver.tokenRequest(refreshFields(session.refreshToken), origin);
      assert.equal(lost.status, 200, lost.body);
      const repeat = await driver.tokenRequest(refreshFields(session.refreshToken), origin);
      assert.equal(repeat.status, 200, repeat.body);
      const first = JSON.parse(lost.body) as Record<string, unknown>;
      const again = JSON.parse(repeat.body) as Record<string, unknown>;
      assert.deepEqual({ ...again, expires_in: undefined }, { ...first, expires_in: undefined }, 'the same tokens');
      assert.ok(
        typeof again.expires_in === 'number' && again.expires_in > 0 && again.expires_in <= Number(first.expires_in),
      );
      assert.deepEqual(answerHeaders(repeat), answerHeaders(lost));
      // The cache holds the answer sealed, in a slot that does not name the token.
      const slot = refreshRetrySlotOf(session.refreshToken);
      const sealed = (await testApp.deps.cache.get(slot)) ?? '';
      assert.match(sealed, /^rr1\.[\w-]+$/);
      for (const value of [session.refreshToken, first.access_token, first.refresh_token, first.id_token]) {
        assert.equal(sealed.includes(String(value)) || slot.includes(String(value)), false);
      }
      assert.equal(repeat.headers['access-control-allow-origin'], testApp.config.publicUrl);
      // Idempotent: a second repeat gets the one successor again, never a new pair.
      const third = await driver.refresh(session.refreshToken);
      assert.equal(third.refreshToken, first.refresh_token);
      assert.equal(third.accessToken, first.access_token);
      assert.equal(await profileStatus(driver, String(first.access_token)), 200);
      const next = await driver.refresh(String(first.refresh_token));
      assert.notEqual(next.refreshToken, first.refresh_token);
      assert.equal(await profileStatus(driver, next.accessToken), 200);
    });

    it('fails closed when the remembered answer is gone (cache flushed): reuse revokes the grant as before', async (t) => {
      const { testApp, baseUrl } = await listeningApp(t, { database });
      const { driver, session } = await signedIn(baseUrl);
      const rotated = await driver.refresh(session.refreshToken);
      await testApp.deps.cache.delete(refreshRetrySlotOf(session.refreshToken));
      assert.equal(await refreshErrorOf(driver, session.refreshToken), 'invalid_grant');
      assert.equal(await refreshErrorOf(driver, rotated.refreshToken), 'invalid_grant');
      assert.equal(await profileStatus(driver, rotated.accessToken), 401);
    });

    it('after the window a repeat is reuse: invalid_grant and the whole family revoked, as before', async (t) => {
      const { baseUrl } = await listeningApp(t, { database });
      const { driver, session } = await signedIn(baseUrl);
      const rotated = await driver.refresh(session.refreshToken);
      // Only Date moves (timers stay real): the server's clock, the proofs' iat and the in-process cache.
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() + refreshRetryWindowMs + 1_000 });
      try {
        assert.equal(await refreshErrorOf(driver, session.refreshToken), 'invalid_grant');
        assert.equal(await refreshErrorOf(driver, rotated.refreshToken), 'invalid_grant');
      } finally {
        t.mock.timers.reset();
      }
      assert.equal(await profileStatus(driver, rotated.accessToken), 401);
    });
  });
}

describe('refresh retry window: who gets the remembered answer', () => {
  it('refuses a repeat proven by another device key, and that does not revoke the grant (as before)', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const rotated = await driver.refresh(session.refreshToken);
    const thief = oauthDriver(baseUrl);
    assert.equal(await refreshErrorOf(thief, session.refreshToken), 'invalid_grant');
    assert.equal(await refreshErrorOf(thief, rotated.refreshToken), 'invalid_grant');
    // The owner's repeat still gets its answer, and its successor still works.
    assert.equal((await driver.refresh(session.refreshToken)).refreshToken, rotated.refreshToken);
    assert.equal(await profileStatus(driver, (await driver.refresh(rotated.refreshToken)).accessToken), 200);
  });

  it('refuses a repeat that replays a proof already used (a copied request), without revoking the grant', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const tokenUrl = `${testApp.config.publicUrl}/oidc/token`;
    const copied = {
      method: 'POST',
      path: '/oidc/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        dpop: driver.dpop.proofFor('POST', tokenUrl),
      },
      body: new URLSearchParams(refreshFields(session.refreshToken)).toString(),
    };
    const original = await driver.send(copied);
    assert.equal(original.status, 200, original.body);
    for (let copy = 0; copy < 2; copy += 1) {
      const replayed = await driver.send(copied);
      assert.equal(replayed.status, 400);
      assert.equal(JSON.parse(replayed.body).error, 'invalid_grant');
    }
    const rotated = JSON.parse(original.body) as { refresh_token: string };
    assert.equal((await driver.refresh(session.refreshToken)).refreshToken, rotated.refresh_token);
    assert.equal(await refreshErrorOf(driver, rotated.refresh_token), undefined);
  });

  it('opens a remembered answer only with its own spent token (a sealed answer moved to another slot)', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    // Two sign-ins on one device key, so only the sealing tells the two answers apart.
    const { driver, session: mine, customer } = await signedIn(baseUrl);
    const theirs = await driver.signIn(customer);
    await driver.refresh(mine.refreshToken);
    const rotated = await driver.refresh(theirs.refreshToken);
    const cache = testApp.deps.cache;
    const sealed = await cache.get(refreshRetrySlotOf(mine.refreshToken));
    assert.ok(sealed);
    await cache.set(refreshRetrySlotOf(theirs.refreshToken), sealed, refreshRetryWindowMs);
    assert.equal(await refreshErrorOf(driver, theirs.refreshToken), 'invalid_grant');
    assert.equal(await refreshErrorOf(driver, rotated.refreshToken), 'invalid_grant');
  });

  it('gives nothing once the successor was used: the repeat is reuse and revokes the family', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const rotated = await driver.refresh(session.refreshToken);
    const newer = await driver.refresh(rotated.refreshToken);
    assert.equal(await refreshErrorOf(driver, session.refreshToken), 'invalid_grant');
    assert.equal(await refreshErrorOf(driver, newer.refreshToken), 'invalid_grant');
    assert.equal(await profileStatus(driver, newer.accessToken), 401);
  });

  it('gives nothing after sign-out', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const rotated = await driver.refresh(session.refreshToken);
    await session.logout();
    assert.equal(await refreshErrorOf(driver, session.refreshToken), 'invalid_grant');
    assert.equal(await profileStatus(driver, rotated.accessToken), 401);
  });

  it('gives nothing after the successor was revoked (RFC 7009)', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const rotated = await driver.refresh(session.refreshToken);
    await driver.revoke(rotated.refreshToken);
    assert.equal(await refreshErrorOf(driver, session.refreshToken), 'invalid_grant');
  });

  it('gives nothing to a repeat that asks for something else (another scope): it meets reuse detection', async (t) => {
    const { baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const rotated = await driver.refresh(session.refreshToken);
    const other = await driver.tokenRequest({ ...refreshFields(session.refreshToken), scope: 'openid' });
    assert.equal(other.status, 400);
    assert.equal(JSON.parse(other.body).error, 'invalid_grant');
    assert.equal(await refreshErrorOf(driver, rotated.refreshToken), 'invalid_grant');
  });
});

describe('refresh retry window: dependencies', () => {
  it('rides out a failing cache: the refresh works, a repeat fails closed as before, and no log names a token', async (t) => {
    const logLines: string[] = [];
    const { testApp, baseUrl } = await listeningApp(t, { env: { LOG_LEVEL: 'info' }, logLines });
    // The window's own cache commands fail (as Redis failing between admission and this middleware would).
    const cache = testApp.deps.cache;
    const { get, setIfAbsent } = cache;
    const ours = (key: string) => key.startsWith('refresh-retry:');
    const unavailable = () => Promise.reject(new DependencyUnavailable('cache', new Error('connection reset')));
    const failingWrites = t.mock.method(cache, 'setIfAbsent', (key: string, value: string, ttlMs: number) =>
      ours(key) ? unavailable() : setIfAbsent(key, value, ttlMs),
    );
    const { driver, session } = await signedIn(baseUrl);
    const rotated = await driver.refresh(session.refreshToken);
    assert.equal(await refreshErrorOf(driver, session.refreshToken), 'invalid_grant');
    assert.equal(await refreshErrorOf(driver, rotated.refreshToken), 'invalid_grant');
    failingWrites.mock.restore();

    const other = await signedIn(baseUrl);
    const remembered = await other.driver.refresh(other.session.refreshToken);
    t.mock.method(cache, 'get', (key: string) => (ours(key) ? unavailable() : get(key)));
    assert.equal(await refreshErrorOf(other.driver, other.session.refreshToken), 'invalid_grant');
    assert.equal(await refreshErrorOf(other.driver, remembered.refreshToken), 'invalid_grant');

    const warnings = logLines.filter((line) => line.includes('refresh retry window'));
    assert.equal(warnings.length >= 2, true, 'the failures are logged');
    const secrets = [session.refreshToken, other.session.refreshToken, remembered.refreshToken];
    for (const secret of [...secrets, ...secrets.map(refreshRetrySlotOf)]) {
      assert.equal(
        logLines.some((line) => line.includes(secret) || line.includes(secret.replace('refresh-retry:', ''))),
        false,
        'no log line names a refresh token or its slot',
      );
    }
  });

  it('hands the authorization server the body as sent, even when it arrives in pieces', async (t) => {
    const { testApp, baseUrl } = await listeningApp(t);
    const { driver, session } = await signedIn(baseUrl);
    const body = new URLSearchParams(refreshFields(session.refreshToken)).toString();
    const proof = driver.dpop.proofFor('POST', `${testApp.config.publicUrl}/oidc/token`);
    const { port } = new URL(baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', async () => {
        socket.write(
          `POST /oidc/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nDPoP: ${proof}\r\nContent-Length: ${body.length}\r\n\r\n`,
        );
        // Apart in time, so the server reads them as separate chunks.
        for (const piece of [body.slice(0, 20), body.slice(20, 60), body.slice(60)]) {
          await new Promise((pause) => setTimeout(pause, 30));
          socket.write(piece);
        }
      });
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 200 /);
    const rotated = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { refresh_token: string };
    assert.equal((await driver.refresh(session.refreshToken)).refreshToken, rotated.refresh_token);
  });
});
