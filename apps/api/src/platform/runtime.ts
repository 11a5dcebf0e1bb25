import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { type Cache, checkEvictionPolicy, connectRedis, createMemoryCache } from './cache.ts';
import type { Config } from './config.ts';
import { cacheFailureWarnIntervalMs } from './constants.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { connectPostgres, type Database, openPglite } from './database.ts';
import type { AppDependencies } from './dependencies.ts';
import { DependencyUnavailable } from './errors.ts';
import { loadKeyMaterial } from './keys.ts';

/**
 * Opens what the app runs on: PostgreSQL or the embedded PGlite, Redis or the in-process cache.
 * Shared by main.ts and the command-line tools so they always agree on where data lives.
 */
export async function openDatabase(config: Config, log: Pick<FastifyBaseLogger, 'warn'>): Promise<Database> {
  if (config.databaseUrl) {
    return connectPostgres(config.databaseUrl, (error) => log.warn({ err: error }, 'idle database connection failed'));
  }
  const dir = path.join(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const release = lockDataDir(dir);
  try {
    const db = await openPglite(dir);
    return {
      ...db,
      async close() {
        try {
          await db.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

export function openCache(config: Config, log: Pick<FastifyBaseLogger, 'warn'>): Cache {
  if (!config.redisUrl) return createMemoryCache();
  let lastWarnMs = 0;
  return connectRedis(config.redisUrl, config.cacheKeyPrefix, (error) => {
    // Reconnect attempts fail every 100 ms–1 s while Redis is away; one warning per 10 s is enough.
    if (Date.now() - lastWarnMs > cacheFailureWarnIntervalMs) {
      lastWarnMs = Date.now();
      log.warn({ err: error }, 'cache connection failed; retrying');
    }
  });
}

/**
 * Refuses to start on a Redis that evicts keys (checkEvictionPolicy). A Redis that is down or hides
 * INFO cannot be checked: that is logged loudly, and the process starts (it answers 503 until Redis
 * is back, and heals without a restart).
 */
export async function assertCacheKeepsKeys(cache: Cache, log: Pick<FastifyBaseLogger, 'warn'>): Promise<void> {
  let policy: string | undefined;
  try {
    policy = await cache.evictionPolicy();
  } catch (error) {
    if (!(error instanceof DependencyUnavailable)) throw error;
    log.warn({ err: error.cause }, 'could not read Redis maxmemory-policy: it must be noeviction (security state)');
    return;
  }
  if (policy === 'unknown') {
    log.warn('Redis does not report its maxmemory-policy: make sure it is noeviction (security state)');
    return;
  }
  checkEvictionPolicy(policy);
}

export async function openDependencies(config: Config, log: Pick<FastifyBaseLogger, 'warn'>): Promise<AppDependencies> {
  const [db, keys] = await Promise.all([openDatabase(config, log), loadKeyMaterial(config)]);
  const cache = openCache(config, log);
  try {
    await assertCacheKeepsKeys(cache, log);
  } catch (error) {
    await Promise.allSettled([db.close(), cache.close()]);
    throw error;
  }
  return { config, db, cache, keys };
}
