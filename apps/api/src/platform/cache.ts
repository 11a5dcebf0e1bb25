import { Redis } from 'ioredis';
import { ConfigError } from './config.ts';
import {
  cacheCommandTimeoutMs,
  cacheConnectTimeoutMs,
  cacheReconnectDelayMaxMs,
  memoryCacheKeysMax,
  memoryCacheSweepIntervalMs,
} from './constants.ts';
import { DependencyUnavailable } from './errors.ts';

/**
 * The shared cache: Redis when REDIS_URL is set (all pods see the same counters), an in-process map
 * otherwise (embedded single-process mode). Every key is prefixed. Redis failures become
 * DependencyUnavailable (503). While Redis reconnects, a command waits at most cacheCommandTimeoutMs
 * in the offline queue, so a short blip is absorbed and a long outage answers 503, never a hang.
 */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  /** Adds 1 to a counter that lives `windowMs` from its first increment; returns count and time left. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets the key only when it is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  ping(): Promise<void>;
  /**
   * Redis's maxmemory-policy (INFO memory), for the start-up check (checkEvictionPolicy); undefined
   * for the in-process cache, which never evicts.
   */
  evictionPolicy(): Promise<string | undefined>;
  close(): Promise<void>;
}

// Increment and set the expiry atomically, so a crash between the two cannot leave an immortal key.
const incrementScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

type RedisWithIncrement = Redis & {
  ngIncrement(key: string, windowMs: number): Promise<[number, number]>;
};

export function connectRedis(
  redisUrl: string,
  prefix: string,
  onError: (error: Error) => void,
  commandTimeoutMs = cacheCommandTimeoutMs,
): Cache {
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: true,
    // Commands issued in the same tick by concurrent requests go out in one write: fewer syscalls.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: cacheConnectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // Reconnect forever, backing off to 1 s: Redis coming back must heal the service without a restart.
    retryStrategy: (times) => Math.min(times * 100, cacheReconnectDelayMaxMs),
  }) as RedisWithIncrement;
  redis.on('error', onError);
  redis.defineCommand('ngIncrement', { numberOfKeys: 1, lua: incrementScript });
  const run = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      throw new DependencyUnavailable('cache', error);
    }
  };
  return {
    kind: 'redis',
    increment: (key, windowMs) =>
      run(async () => {
        const [count, resetMs] = await redis.ngIncrement(prefix + key, windowMs);
        return { count, resetMs };
      }),
    get: (key) => run(async () => (await redis.get(prefix + key)) ?? undefined),
    set: (key, value, ttlMs) =>
      run(async () => {
        await redis.set(prefix + key, value, 'PX', ttlMs);
      }),
    setIfAbsent: (key, value, ttlMs) =>
      run(async () => (await redis.set(prefix + key, value, 'PX', ttlMs, 'NX')) === 'OK'),
    delete: (key) =>
      run(async () => {
        await redis.del(prefix + key);
      }),
    ping: () =>
      run(async () => {
        await redis.ping();
      }),
    evictionPolicy: () =>
      run(async () => /^maxmemory_policy:(\S+)/m.exec(await redis.info('memory'))?.[1] ?? 'unknown'),
    close: async () => {
      redis.disconnect();
    },
  };
}

/**
 * The cache holds security state (DPoP jti markers, rate-limit and login counters, revocation and
 * status answers): a key evicted early is a replay admitted or a limit reset. Every key carries a
 * TTL, so Redis's volatile-* policies would evict them exactly like allkeys-*: only `noeviction`
 * (writes fail when memory is full, answered 503) keeps them. Throws with what to change otherwise.
 */
export function checkEvictionPolicy(policy: string | undefined): void {
  if (policy === undefined || policy === 'noeviction') return;
  throw new ConfigError(
    'REDIS_URL',
    `points at a Redis with maxmemory-policy ${policy}, which evicts security state (DPoP replay markers, rate limits, login counters) early: set maxmemory-policy noeviction (redis.conf or CONFIG SET) and start again`,
  );
}

interface Entry {
  value: string;
  expiresAtMs: number;
}

export interface MemoryCacheOptions {
  /** Keys held at most; a new key past it answers 503 (DependencyUnavailable), never evicts one. */
  readonly keysMax?: number;
  /** The clock, in ms since the epoch; tests move it. */
  readonly now?: () => number;
}

/** At most one full sweep for expired keys per this long, so a full cache does not rescan on every write. */
const sweepIntervalMs = 1_000;

/**
 * The in-process cache (embedded mode). It never evicts a live key: its keys are security state
 * (issue 12: flushing them out let revoked tokens and locked-out accounts back in). Expired keys are
 * swept when it fills up and every minute; when it is still full a new key answers 503 (fail closed)
 * while writes to existing keys, reads and deletes keep working.
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const now = options.now ?? Date.now;
  const keysMax = options.keysMax ?? memoryCacheKeysMax;
  const entries = new Map<string, Entry>();
  let lastSweepMs = Number.NEGATIVE_INFINITY;
  const sweep = () => {
    lastSweepMs = now();
    for (const [key, entry] of entries) if (entry.expiresAtMs <= lastSweepMs) entries.delete(key);
  };
  const sweeper = setInterval(sweep, memoryCacheSweepIntervalMs);
  sweeper.unref();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAtMs <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const put = (key: string, value: string, ttlMs: number) => {
    if (!entries.has(key) && entries.size >= keysMax) {
      if (now() - lastSweepMs >= sweepIntervalMs) sweep();
      if (entries.size >= keysMax) {
        throw new DependencyUnavailable('cache', new Error(`the in-process cache holds ${keysMax} live keys`));
      }
    }
    entries.set(key, { value, expiresAtMs: now() + ttlMs });
  };
  return {
    kind: 'memory',
    async increment(key, windowMs) {
      const entry = live(key);
      if (!entry) {
        put(key, '1', windowMs);
        return { count: 1, resetMs: windowMs };
      }
      entry.value = String(Number(entry.value) + 1);
      return { count: Number(entry.value), resetMs: entry.expiresAtMs - now() };
    },
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      put(key, value, ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      put(key, value, ttlMs);
      return true;
    },
    async delete(key) {
      entries.delete(key);
    },
    async ping() {},
    async evictionPolicy() {
      return undefined;
    },
    async close() {
      clearInterval(sweeper);
      entries.clear();
    },
  };
}
