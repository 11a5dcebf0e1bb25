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
  /**
   * Admission's cache work in one atomic step (one Redis script call, ADR 0090): counts the request,
   * reads the cached security state and, only when the request is admitted on what is cached,
   * stores the DPoP proof's jti. See AdmissionCacheRequest for the rules.
   */
  admit(request: AdmissionCacheRequest): Promise<AdmissionCacheAnswer>;
  ping(): Promise<void>;
  /**
   * Redis's maxmemory-policy (INFO memory), for the start-up check (checkEvictionPolicy); undefined
   * for the in-process cache, which never evicts.
   */
  evictionPolicy(): Promise<string | undefined>;
  close(): Promise<void>;
}

/** What admission asks of the cache for one request (keys without the cache's prefix). */
export interface AdmissionCacheRequest {
  /** The caller's rate-limit counter; absent for paths exempt from the limit. */
  readonly rateKey?: string | undefined;
  readonly windowMs: number;
  readonly limit: number;
  /** Cached security-state keys to read, each admitting only with the value named beside it. */
  readonly states: readonly { readonly key: string; readonly admits: string }[];
  /**
   * The proof's replay marker: set (if absent) only when the count is within the limit and every
   * state was found with its admitting value. A miss or a refusal stores nothing.
   */
  readonly jti?: { readonly key: string; readonly ttlMs: number } | undefined;
}

export interface AdmissionCacheAnswer {
  /** The caller's count in this window and the window's time left; 0 / 0 when not counted. */
  readonly count: number;
  readonly resetMs: number;
  /** The cached value of each state, in request order; undefined for a miss. */
  readonly states: readonly (string | undefined)[];
  /** True: this call stored the jti (first use). False: it was there already (a replay). Undefined: not tried. */
  readonly jtiStored: boolean | undefined;
}

/**
 * The admission script. KEYS: the rate key (or a placeholder when not counted), the states' keys,
 * then the jti key (when given). ARGV: windowMs, limit, counted (1/0), state count, jti ttlMs (0 =
 * no jti), then each state's admitting value. Returns {count, ttl, jtiStored (1, 0 or -1 = not
 * tried), state values (false = miss)...}. Redis runs a script alone, so no other command falls
 * between the count, the reads and the jti write.
 */
const admissionScript = `
local windowMs = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local stateCount = tonumber(ARGV[4])
local jtiTtlMs = tonumber(ARGV[5])
local count, ttl = 0, 0
if ARGV[3] == '1' then
  count = redis.call('INCR', KEYS[1])
  if count == 1 then redis.call('PEXPIRE', KEYS[1], windowMs) end
  ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[1], windowMs); ttl = windowMs end
end
local admitted = count <= limit
local reply = {count, ttl, -1}
for i = 1, stateCount do
  local value = redis.call('GET', KEYS[1 + i])
  reply[3 + i] = value
  if value ~= ARGV[5 + i] then admitted = false end
end
if jtiTtlMs > 0 and admitted then
  reply[3] = redis.call('SET', KEYS[2 + stateCount], '1', 'PX', jtiTtlMs, 'NX') and 1 or 0
end
return reply`;

// Increment and set the expiry atomically, so a crash between the two cannot leave an immortal key.
const incrementScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

type RedisWithIncrement = Redis & {
  ngIncrement(key: string, windowMs: number): Promise<[number, number]>;
  ngAdmit(keyCount: number, ...keysAndArgs: (string | number)[]): Promise<(number | string | null)[]>;
};

/** Builds the admission script's KEYS and ARGV (prefixed keys), in the order the script reads them. */
function admissionScriptInput(prefix: string, request: AdmissionCacheRequest): (string | number)[] {
  const keys = [prefix + (request.rateKey ?? 'rl:-'), ...request.states.map((state) => prefix + state.key)];
  if (request.jti) keys.push(prefix + request.jti.key);
  const argv = [
    request.windowMs,
    request.limit,
    request.rateKey === undefined ? '0' : '1',
    request.states.length,
    request.jti?.ttlMs ?? 0,
    ...request.states.map((state) => state.admits),
  ];
  return [keys.length, ...keys, ...argv];
}

function admissionAnswerOf(request: AdmissionCacheRequest, reply: (number | string | null)[]): AdmissionCacheAnswer {
  const stored = reply[2];
  return {
    count: Number(reply[0]),
    resetMs: Number(reply[1]),
    states: request.states.map((_, i) => {
      const value = reply[3 + i];
      return typeof value === 'string' ? value : undefined;
    }),
    jtiStored: stored === 1 ? true : stored === 0 ? false : undefined,
  };
}

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
  // The key count varies with the request (states, jti): given per call. ioredis sends EVALSHA and
  // falls back to EVAL once when Redis does not know the script (after a restart or SCRIPT FLUSH).
  redis.defineCommand('ngAdmit', { lua: admissionScript });
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
    admit: (request) =>
      run(async () => {
        const [keyCount, ...keysAndArgs] = admissionScriptInput(prefix, request);
        return admissionAnswerOf(request, await redis.ngAdmit(keyCount as number, ...keysAndArgs));
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
  const incrementNow = (key: string, windowMs: number) => {
    const entry = live(key);
    if (!entry) {
      put(key, '1', windowMs);
      return { count: 1, resetMs: windowMs };
    }
    entry.value = String(Number(entry.value) + 1);
    return { count: Number(entry.value), resetMs: entry.expiresAtMs - now() };
  };
  const setIfAbsentNow = (key: string, value: string, ttlMs: number) => {
    if (live(key)) return false;
    put(key, value, ttlMs);
    return true;
  };
  return {
    kind: 'memory',
    async increment(key, windowMs) {
      return incrementNow(key, windowMs);
    },
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      put(key, value, ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      return setIfAbsentNow(key, value, ttlMs);
    },
    async delete(key) {
      entries.delete(key);
    },
    // Synchronous between its first and last line, so atomic like the Redis script. A full cache
    // throws (503) on the counter or the jti, never admits uncounted or unmarked.
    async admit(request) {
      let count = 0;
      let resetMs = 0;
      if (request.rateKey !== undefined) ({ count, resetMs } = incrementNow(request.rateKey, request.windowMs));
      const states = request.states.map((state) => live(state.key)?.value);
      const admitted = count <= request.limit && request.states.every((state, i) => states[i] === state.admits);
      let jtiStored: boolean | undefined;
      if (request.jti && admitted) jtiStored = setIfAbsentNow(request.jti.key, '1', request.jti.ttlMs);
      return { count, resetMs, states, jtiStored };
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
