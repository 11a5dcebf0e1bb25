import { Redis } from 'ioredis';
import {
  cacheCommandTimeoutMs,
  cacheConnectTimeoutMs,
  cacheReconnectDelayMaxMs,
  memoryCacheKeysMax,
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
    close: async () => {
      redis.disconnect();
    },
  };
}

interface Entry {
  value: string;
  expiresAtMs: number;
}

export function createMemoryCache(now: () => number = Date.now): Cache {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAtMs <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const put = (key: string, value: string, ttlMs: number) => {
    entries.delete(key);
    if (entries.size >= memoryCacheKeysMax) {
      // Maps iterate in insertion order: the first key is the oldest write.
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
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
    async close() {
      entries.clear();
    },
  };
}
