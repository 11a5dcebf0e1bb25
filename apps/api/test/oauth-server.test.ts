import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { backofficeToken, createTestDatabase, oauthDriver, startApiProcess, testRedisUrl } from '@nextgen/testkit';

it('signs a customer in against the real server process, whose logs hold no password, e-mail, token or code', async (t) => {
  const database = await createTestDatabase();
  t.after(() => database.drop());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ng-oauth-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const backofficeSecret = randomBytes(32).toString('base64url');
  const api = await startApiProcess({
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl,
    CACHE_KEY_PREFIX: `ngt:${randomBytes(6).toString('hex')}:`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    BACKOFFICE_CLIENT_SECRET: backofficeSecret,
  });
  t.after(() => api.stop('SIGKILL'));

  const driver = oauthDriver(api.baseUrl);
  const customer = {
    name: 'Katherine Johnson',
    email: 'Katherine.Johnson@Example.com',
    password: 'orbital mechanics by hand',
  };
  await driver.registerCustomer(customer);
  const refused = await driver.beginSignIn();
  assert.equal((await refused.submit(customer.email, 'a wrong password entirely')).status, 401);
  const session = await driver.signIn(customer);
  const me = await session.api('GET', '/api/v1/customers/me');
  assert.equal(me.status, 200);
  const renewed = await driver.refresh(session.refreshToken);
  await driver.revoke(renewed.refreshToken);
  const operatorToken = await backofficeToken(api.baseUrl, backofficeSecret);
  await session.logout();

  const logs = api.output();
  assert.match(logs, /"url":"\/oidc\/token"/, 'requests are logged');
  const secrets = {
    password: customer.password,
    email: customer.email,
    'normalized e-mail': customer.email.toLowerCase(),
    'access token': session.accessToken,
    'refresh token': session.refreshToken,
    'rotated refresh token': renewed.refreshToken,
    'ID token': session.idToken,
    'back-office token': operatorToken,
    'back-office secret': backofficeSecret,
  };
  for (const [what, value] of Object.entries(secrets)) {
    assert.ok(!logs.includes(value), `the logs contain the ${what}`);
  }
  assert.doesNotMatch(logs, /[?&](code|code_challenge|state|login_hint|id_token_hint)=(?!\[redacted\])/);
  assert.doesNotMatch(logs, /eyJ[A-Za-z0-9_-]+\.eyJ/, 'no JWT (access token, ID token or DPoP proof) is logged');
});
