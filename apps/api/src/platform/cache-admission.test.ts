import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { testRedisUrl } from '@nextgen/testkit';
import { Redis } from 'ioredis';
import { type AdmissionCacheRequest, type Cache, connectRedis, createMemoryCache } from './cache.ts';
import { DependencyUnavailable } from './errors.ts';

/**
 * Admission's one cache call (ADR 0090): the same rules on Redis (one Lua script) and on the
 * in-process cache (embedded mode). The jti is stored only for a request admitted on what is
 * cached: within the limit, every state present with its admitting value.
 */
const windowMs = 60_000;
const request = (overrides: Partial<AdmissionCacheRequest> = {}): AdmissionCacheRequest => ({
  rateKey: 'rl:customer:cus_1',
  windowMs,
  limit: 2,
  states: [
    { key: 'grant:g1', admits: 'live' },
    { key: 'status:cus_1', admits: 'active' },
  ],
  jti: { key: 'jti:k:1', ttlMs: 10_000 },
  ...overrides,
});

function caches(): { name: string; open: () => Cache }[] {
  return [
    {
      name: 'Redis (one script call)',
      open: () => connectRedis(testRedisUrl, `ngt:adm:${randomBytes(6).toString('hex')}:`, () => {}),
    },
    { name: 'the in-process cache', open: () => createMemoryCache() },
  ];
}

for (const { name, open } of caches()) {
  describe(`admission's cache call on ${name}`, () => {
    it('counts, reads the states and stores the jti when every state admits', async (t) => {
      const cache = open();
      t.after(() => cache.close());
      await cache.set('grant:g1', 'live', 60_000);
      await cache.set('status:cus_1', 'active', 60_000);
      const first = await cache.admit(request());
      assert.equal(first.count, 1);
      assert.ok(first.resetMs > 0 && first.resetMs <= windowMs, String(first.resetMs));
      assert.deepEqual(first.states, ['live', 'active']);
      assert.equal(first.jtiStored, true);
      assert.equal(await cache.get('jti:k:1'), '1');
      const replay = await cache.admit(request());
      assert.equal(replay.count, 2);
      assert.equal(replay.jtiStored, false, 'the same jti again is a replay');
    });

    it('stores no jti past the limit (a 429 stores nothing)', async (t) => {
      const cache = open();
      t.after(() => cache.close());
      await cache.set('grant:g1', 'live', 60_000);
      await cache.set('status:cus_1', 'active', 60_000);
      await cache.admit(request({ jti: { key: 'jti:k:a', ttlMs: 10_000 } }));
      await cache.admit(request({ jti: { key: 'jti:k:b', ttlMs: 10_000 } }));
      const over = await cache.admit(request({ jti: { key: 'jti:k:c', ttlMs: 10_000 } }));
      assert.equal(over.count, 3);
      assert.equal(over.jtiStored, undefined);
      assert.equal(await cache.get('jti:k:c'), undefined);
    });

    it('stores no jti when a state refuses (revoked grant, locked customer)', async (t) => {
      const cache = open();
      t.after(() => cache.close());
      await cache.set('grant:g1', 'revoked', 60_000);
      await cache.set('status:cus_1', 'active', 60_000);
      const revoked = await cache.admit(request({ jti: { key: 'jti:k:r', ttlMs: 10_000 } }));
      assert.deepEqual(revoked.states, ['revoked', 'active']);
      assert.equal(revoked.jtiStored, undefined);
      assert.equal(await cache.get('jti:k:r'), undefined);
      await cache.set('grant:g1', 'live', 60_000);
      await cache.set('status:cus_1', 'locked', 60_000);
      const locked = await cache.admit(request({ jti: { key: 'jti:k:l', ttlMs: 10_000 } }));
      assert.deepEqual(locked.states, ['live', 'locked']);
      assert.equal(locked.jtiStored, undefined);
      assert.equal(await cache.get('jti:k:l'), undefined);
    });

    it('reports a missing state as a miss and stores no jti: the caller asks PostgreSQL first', async (t) => {
      const cache = open();
      t.after(() => cache.close());
      await cache.set('status:cus_1', 'active', 60_000);
      const answer = await cache.admit(request({ jti: { key: 'jti:k:m', ttlMs: 10_000 } }));
      assert.deepEqual(answer.states, [undefined, 'active']);
      assert.equal(answer.jtiStored, undefined);
      assert.equal(await cache.get('jti:k:m'), undefined);
    });

    it('counts nothing for an exempt path and admits a request without states or jti', async (t) => {
      const cache = open();
      t.after(() => cache.close());
      const answer = await cache.admit(request({ rateKey: undefined, states: [], jti: undefined }));
      assert.deepEqual(answer, { count: 0, resetMs: 0, states: [], jtiStored: undefined });
      const counted = await cache.admit(request({ states: [], jti: undefined }));
      assert.equal(counted.count, 1, 'the exempt call left the counter alone');
    });

    it('keeps the counter of the same window across calls and the plain increment', async (t) => {
      const cache = open();
      t.after(() => cache.close());
      await cache.admit(request({ states: [], jti: undefined }));
      const { count } = await cache.increment('rl:customer:cus_1', windowMs);
      assert.equal(count, 2);
    });
  });
}

describe("admission's cache call fails closed", () => {
  it('answers 503 on a full in-process cache rather than count or mark nothing', async () => {
    const cache = createMemoryCache({ keysMax: 2 });
    await cache.set('grant:g1', 'live', 60_000);
    await cache.set('status:cus_1', 'active', 60_000);
    await assert.rejects(cache.admit(request()), DependencyUnavailable, 'no room for the counter');
    await cache.close();
  });

  it('answers 503 when the jti cannot be stored in a full in-process cache', async () => {
    const cache = createMemoryCache({ keysMax: 3 });
    await cache.set('grant:g1', 'live', 60_000);
    await cache.set('status:cus_1', 'active', 60_000);
    await assert.rejects(cache.admit(request()), DependencyUnavailable, 'counter fits, jti does not');
    await cache.close();
  });

  it('answers 503 when Redis cannot be reached', async () => {
    const cache = connectRedis('redis://127.0.0.1:1', 'ngt:adm:down:', () => {}, 200);
    await assert.rejects(cache.admit(request()), DependencyUnavailable);
    await cache.close();
  });

  it('loads the script again after Redis forgot it (SCRIPT FLUSH)', async () => {
    const prefix = `ngt:adm:${randomBytes(6).toString('hex')}:`;
    const cache = connectRedis(testRedisUrl, prefix, () => {});
    const admin = new Redis(testRedisUrl);
    try {
      await cache.admit(request({ states: [], jti: undefined }));
      await admin.script('FLUSH');
      const answer = await cache.admit(request({ states: [], jti: undefined }));
      assert.equal(answer.count, 2);
      assert.ok((await admin.pttl(`${prefix}rl:customer:cus_1`)) > 0, 'the counter carries its window');
    } finally {
      admin.disconnect();
      await cache.close();
    }
  });
});
