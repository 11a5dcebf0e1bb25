import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { oauthDriver, testRedisUrl } from '@nextgen/testkit';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { buildApp, createServices } from '../src/app.ts';
import { type Cache, checkEvictionPolicy, connectRedis, createMemoryCache } from '../src/platform/cache.ts';
import { DependencyUnavailable } from '../src/platform/errors.ts';
import { assertCacheKeepsKeys } from '../src/platform/runtime.ts';
import { createCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Security state fails closed (issue 12): a customer's status is checked at admission, so tokens of
 * a locked, closed or erased customer stop before they expire.
 */
const me = (testApp: TestApp, customerId: string) => testApp.injectAs(customerId, { url: '/api/v1/customers/me' });

function assertInactive(response: Awaited<ReturnType<typeof me>>) {
  assert.equal(response.statusCode, 401, response.body);
  assert.equal(response.json().code, 'customer_inactive');
  assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/);
}

describe("a customer's status at admission", () => {
  for (const status of ['locked', 'closed'] as const) {
    it(`refuses the tokens of a ${status} customer from the next request, and admits them again when reopened`, async (t) => {
      const testApp = await buildTestApp(t);
      const customerId = await createCustomer(testApp.deps.db);
      // The first call caches "active": the change must overwrite it, not wait for it to expire.
      assert.equal((await me(testApp, customerId)).statusCode, 200);
      assert.equal(await testApp.services.identity.setCustomerStatus(customerId, status), true);
      assertInactive(await me(testApp, customerId));
      assert.equal(await testApp.services.identity.setCustomerStatus(customerId, 'active'), true);
      assert.equal((await me(testApp, customerId)).statusCode, 200);
    });
  }

  it('refuses the tokens of an erased customer from the next request', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    assert.equal((await me(testApp, customerId)).statusCode, 200);
    const erased = await testApp.app.inject({
      method: 'POST',
      url: `/backoffice/v1/customers/${customerId}/erasure`,
      headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
    });
    assert.equal(erased.statusCode, 200, erased.body);
    assertInactive(await me(testApp, customerId));
    assert.equal(await testApp.services.identity.setCustomerStatus(customerId, 'active'), false, 'erasure is final');
    assertInactive(await me(testApp, customerId));
  });

  it('reads PostgreSQL when the cached status is lost, and a status changed behind the cache is seen then', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    assert.equal((await me(testApp, customerId)).statusCode, 200);
    await testApp.deps.db.query(`UPDATE customers SET status = 'locked' WHERE id = $1`, [customerId]);
    await testApp.deps.cache.delete(`customer-status:${customerId}`);
    assertInactive(await me(testApp, customerId));
  });

  it('answers 503 rather than admit when the status cannot be read', async (t) => {
    const testApp = await buildTestApp(t, { faults: true });
    const customerId = await createCustomer(testApp.deps.db);
    await testApp.faults?.database.cut();
    const response = await me(testApp, customerId);
    await testApp.faults?.database.restore();
    assert.equal(response.statusCode, 503, response.body);
  });
});

// ---- Defect 1: revocation and lockouts survive any cache loss --------------------------------------

/** Deletes every key of this test app's prefix in Redis: a flushed (or restarted) Redis. */
async function flushCache(testApp: TestApp): Promise<void> {
  const redis = new Redis(testRedisUrl);
  try {
    const keys = await redis.keys(`${testApp.config.cacheKeyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** Fills the cache with other keys until it refuses a new one; returns how many it took. */
async function fillCache(cache: Cache): Promise<number> {
  for (let i = 0; i < 100_000; i += 1) {
    try {
      await cache.set(`filler:${i}`, 'x', 60_000);
    } catch (error) {
      assert.ok(error instanceof DependencyUnavailable, String(error));
      return i;
    }
  }
  throw new Error('the cache never filled up');
}

/** The same app on the in-process cache (the embedded mode) with room for only `keysMax` keys. */
async function onSmallMemoryCache(t: TestContext, testApp: TestApp, keysMax: number) {
  const cache = createMemoryCache({ keysMax });
  const deps = { ...testApp.deps, cache };
  const services = createServices(deps);
  const app = await buildApp(deps, services);
  t.after(async () => {
    await app.close();
    await cache.close();
  });
  return { app, cache, services };
}

const newCustomer = () => ({
  name: 'Katherine Johnson',
  email: `katherine.${randomBytes(4).toString('hex')}@example.com`,
  password: 'orbital mechanics by hand',
});

describe('the in-process cache never forgets security state', () => {
  it('refuses a new key when full (503) rather than evict one, and sweeps expired keys', async () => {
    let nowMs = 1_000_000;
    const cache = createMemoryCache({ keysMax: 3, now: () => nowMs });
    await cache.set('a', '1', 1_000);
    await cache.set('b', '1', 60_000);
    await cache.setIfAbsent('c', '1', 60_000);
    await assert.rejects(cache.set('d', '1', 60_000), DependencyUnavailable);
    await assert.rejects(cache.increment('e', 60_000), DependencyUnavailable);
    assert.deepEqual(await Promise.all(['a', 'b', 'c'].map((key) => cache.get(key))), ['1', '1', '1']);
    await cache.set('a', '2', 1_000); // an existing key can always be written
    nowMs += 2_000; // `a` expires: the next new key sweeps it out and fits
    await cache.set('d', '1', 60_000);
    assert.equal(await cache.get('d'), '1');
    assert.equal(await cache.get('b'), '1');
    await cache.close();
  });

  it('keeps a revoked sign-in refused after the cache filled up', async (t) => {
    const testApp = await buildTestApp(t);
    const { app, cache } = await onSmallMemoryCache(t, testApp, 2_000);
    const driver = oauthDriver(app);
    const customer = newCustomer();
    await driver.registerCustomer(customer);
    const session = await driver.signIn(customer);
    assert.equal((await session.api('GET', '/api/v1/customers/me')).status, 200);
    await session.logout();
    assert.equal((await session.api('GET', '/api/v1/customers/me')).status, 401);
    assert.ok((await fillCache(cache)) > 0);
    const after = await session.api('GET', '/api/v1/customers/me');
    assert.equal(after.status, 401, after.body);
    assert.equal(JSON.parse(after.body).code, 'invalid_token');
    // A caller the full cache has no counter for is answered 503, not admitted uncounted.
    const stranger = await app.inject({ url: '/api/v1/customers/me', remoteAddress: '203.0.113.9' });
    assert.equal(stranger.statusCode, 503, stranger.body);
  });

  it('keeps a locked-out account locked after the cache filled up', async (t) => {
    const testApp = await buildTestApp(t);
    const { cache, services } = await onSmallMemoryCache(t, testApp, 2_000);
    const customer = newCustomer();
    await services.identity.registerCustomer(customer);
    const attempt = (password: string) =>
      services.identity.signIn({ email: customer.email, password, ip: '198.51.100.7' });
    let outcome = await attempt('wrong');
    for (let i = 0; i < 10 && outcome.kind !== 'throttled'; i += 1) outcome = await attempt('wrong');
    assert.equal(outcome.kind, 'throttled');
    await fillCache(cache);
    assert.equal((await attempt(customer.password)).kind, 'throttled');
  });
});

describe('a flushed Redis lets no revoked or locked-out customer back in', () => {
  it('keeps a revoked sign-in refused: PostgreSQL holds the revocation', async (t) => {
    const testApp = await buildTestApp(t);
    const driver = oauthDriver(testApp.app);
    const customer = newCustomer();
    await driver.registerCustomer(customer);
    const session = await driver.signIn(customer);
    await session.logout();
    assert.equal((await session.api('GET', '/api/v1/customers/me')).status, 401);
    await flushCache(testApp);
    const after = await session.api('GET', '/api/v1/customers/me');
    assert.equal(after.status, 401, after.body);
    assert.equal(JSON.parse(after.body).code, 'invalid_token');
  });

  it('keeps a locked-out account locked: PostgreSQL holds the lockout', async (t) => {
    const testApp = await buildTestApp(t);
    const customer = newCustomer();
    await testApp.services.identity.registerCustomer(customer);
    const attempt = (password: string) =>
      testApp.services.identity.signIn({ email: customer.email, password, ip: '198.51.100.8' });
    let outcome = await attempt('wrong');
    for (let i = 0; i < 10 && outcome.kind !== 'throttled'; i += 1) outcome = await attempt('wrong');
    assert.equal(outcome.kind, 'throttled');
    await flushCache(testApp);
    assert.equal((await attempt(customer.password)).kind, 'throttled');
  });
});

describe('DPoP replay markers', () => {
  it("stores a proof's jti only for an admitted request, not for one the rate limit refuses", async (t) => {
    const testApp = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1' } });
    const customerId = await createCustomer(testApp.deps.db);
    const token = await testApp.customerToken(customerId);
    const call = async () => {
      const headers = testApp.dpopHeaders(token, 'GET', '/api/v1/customers/me');
      const response = await testApp.app.inject({ url: '/api/v1/customers/me', headers });
      const replayKey = `dpop:jti:${testApp.device.key.thumbprint}:${String(decodeJwt(headers.dpop).jti)}`;
      return { response, stored: await testApp.deps.cache.get(replayKey) };
    };
    const admitted = await call();
    assert.equal(admitted.response.statusCode, 200);
    assert.equal(admitted.stored, '1');
    const refused = await call();
    assert.equal(refused.response.statusCode, 429);
    assert.equal(refused.stored, undefined);
  });

  it('stores the jti after a cache miss was answered by PostgreSQL, so the proof cannot be replayed', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const token = await testApp.customerToken(customerId);
    await testApp.deps.cache.delete(`customer-status:${customerId}`);
    const headers = testApp.dpopHeaders(token, 'GET', '/api/v1/customers/me');
    const first = await testApp.app.inject({ url: '/api/v1/customers/me', headers });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(await testApp.deps.cache.get(`customer-status:${customerId}`), 'active', 'the answer was cached');
    const replay = await testApp.app.inject({ url: '/api/v1/customers/me', headers });
    assert.equal(replay.statusCode, 401, replay.body);
    assert.equal(replay.json().code, 'invalid_dpop_proof');
  });

  it("stores no jti for a locked customer's request, whether the status was cached or read from PostgreSQL", async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const token = await testApp.customerToken(customerId);
    assert.equal(await testApp.services.identity.setCustomerStatus(customerId, 'locked'), true);
    for (const lose of [false, true]) {
      if (lose) await testApp.deps.cache.delete(`customer-status:${customerId}`);
      const headers = testApp.dpopHeaders(token, 'GET', '/api/v1/customers/me');
      const response = await testApp.app.inject({ url: '/api/v1/customers/me', headers });
      assertInactive(response);
      const replayKey = `dpop:jti:${testApp.device.key.thumbprint}:${String(decodeJwt(headers.dpop).jti)}`;
      assert.equal(await testApp.deps.cache.get(replayKey), undefined);
    }
  });
});

describe("Redis's eviction policy, checked at start", () => {
  it('accepts only noeviction: every key carries a TTL, so volatile-* policies evict them too', () => {
    checkEvictionPolicy('noeviction');
    checkEvictionPolicy(undefined); // the in-process cache
    for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-ttl']) {
      assert.throws(() => checkEvictionPolicy(policy), /REDIS_URL.*maxmemory-policy .*noeviction/);
    }
  });

  it("reads the test Redis's policy (noeviction) and starts", async () => {
    const cache = connectRedis(testRedisUrl, 'ngt:policy:', () => {});
    try {
      assert.equal(await cache.evictionPolicy(), 'noeviction');
      const warnings: unknown[] = [];
      await assertCacheKeepsKeys(cache, { warn: (...args: unknown[]) => void warnings.push(args) });
      assert.deepEqual(warnings, []);
    } finally {
      await cache.close();
    }
  });
});
