import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { createTestDatabase, type DpopClient, type FaultProxy, startFaultProxy, testRedisUrl } from '@nextgen/testkit';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type AppDependencies, buildApp, createServices, type Services } from '../src/app.ts';
import { type Cache, connectRedis, createMemoryCache } from '../src/platform/cache.ts';
import { type Config, loadConfig } from '../src/platform/config.ts';
import { connectPostgres, type Database, type DatabaseDeadlines, openPglite } from '../src/platform/database.ts';
import { loadKeyMaterial } from '../src/platform/keys.ts';
import { migrate } from '../src/platform/migrations.ts';
import { accessTokenSigner } from './fixtures.ts';

/**
 * Builds the real app on its own PostgreSQL database and its own Redis key prefix, closed when the
 * test ends. `env` overrides configuration (e.g. RATE_LIMIT_PER_MINUTE).
 */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly deps: AppDependencies;
  readonly services: Services;
  readonly config: Config;
  /**
   * A signed access token for a customer, as the authorization server would issue it: DPoP-bound
   * (`cnf.jkt`) to the test app's one device key, so it needs `dpopHeaders` to be used.
   */
  customerToken(customerId: string, options?: { expiresInS?: number; signedInAgoS?: number | null }): Promise<string>;
  /**
   * `authorization: DPoP <token>` and a fresh DPoP proof (with a current nonce) for one request with a
   * customer token. `url` is a path (as app.inject addresses it) or an absolute URL (a listening app).
   */
  dpopHeaders(token: string, method: string, url: string): { authorization: string; dpop: string };
  /** customerToken and dpopHeaders in one: the headers a customer's app sends with one request. */
  customerHeaders(customerId: string, method: string, url: string): Promise<{ authorization: string; dpop: string }>;
  /** The device key (and nonce source) behind customerToken and dpopHeaders. */
  readonly device: DpopClient;
  operatorToken(): Promise<string>;
  /** app.inject as a customer: a DPoP-bound token and a proof for exactly this request. */
  injectAs(customerId: string, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Present when built with `{ faults: true }`: cut the app off from PostgreSQL or Redis. */
  readonly faults: { readonly database: FaultProxy; readonly cache: FaultProxy } | undefined;
}

export interface TestAppOptions {
  /** Configuration overrides, e.g. RATE_LIMIT_PER_MINUTE. */
  readonly env?: Record<string, string>;
  /** Route PostgreSQL and Redis through fault proxies the test can cut. */
  readonly faults?: boolean;
  /**
   * Keep the production dependency deadlines (constants.ts). Implied by `faults`; a test that waits
   * for a lock or statement deadline to fire sets it. Otherwise the deadlines are widened (testDeadlines).
   */
  readonly productionDeadlines?: boolean;
  /** Capture every log line (at LOG_LEVEL, default silent) into this array. */
  readonly logLines?: string[];
  /**
   * `pglite` builds the app as `./ng start` runs it by default: the embedded PGlite (one
   * connection, in a temporary folder, migrated here) and the in-process cache.
   */
  readonly database?: TestDatabaseKind;
}

export type TestDatabaseKind = 'postgres' | 'pglite';
/** Both databases the app runs on; tests of flows that differ between them run on each. */
export const testDatabaseKinds: readonly TestDatabaseKind[] = ['postgres', 'pglite'];

interface Storage {
  readonly db: Database;
  readonly cache: Cache;
  readonly env: Record<string, string>;
  readonly faults?: TestApp['faults'];
  close(): Promise<void>;
}

async function postgresStorage(faulty: boolean, productionDeadlines: boolean): Promise<Storage> {
  const database = await createTestDatabase();
  const faults = faulty
    ? { database: await startFaultProxy(database.url), cache: await startFaultProxy(testRedisUrl) }
    : undefined;
  const databaseUrl = faults?.database.url ?? database.url;
  const redisUrl = faults?.cache.url ?? testRedisUrl;
  const cachePrefix = `ngt:${randomBytes(6).toString('hex')}:`;
  // Tests of the deadlines get the production values; the rest get room for a CPU-starved machine.
  const deadlines = faulty || productionDeadlines ? undefined : testDeadlines;
  const db = connectPostgres(databaseUrl, () => {}, 10, deadlines?.database);
  const cache = connectRedis(redisUrl, cachePrefix, () => {}, deadlines?.cacheCommandMs);
  return {
    db,
    cache,
    faults,
    env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CACHE_KEY_PREFIX: cachePrefix },
    async close() {
      await db.close();
      await cache.close();
      await faults?.database.close();
      await faults?.cache.close();
      await database.drop();
    },
  };
}

async function pgliteStorage(): Promise<Storage> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-test-pglite-'));
  const db = await openPglite(path.join(dir, 'pglite'));
  await migrate(db);
  return {
    db,
    cache: createMemoryCache(),
    env: { DATA_DIR: dir },
    async close() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function buildTestApp(t: TestContext, options: TestAppOptions = {}): Promise<TestApp> {
  if (options.database === 'pglite' && options.faults) throw new Error('fault proxies need PostgreSQL and Redis');
  const storage =
    options.database === 'pglite'
      ? await pgliteStorage()
      : await postgresStorage(options.faults ?? false, options.productionDeadlines ?? false);
  const config = loadConfig({
    NG_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    SEED_DEMO_DATA: 'false',
    ...storage.env,
    ...options.env,
  });
  const { db, cache, faults } = storage;
  const deps: AppDependencies = { config, db, cache, keys: await loadKeyMaterial(config) };
  const services = createServices(deps);
  const logLines = options.logLines;
  const app = await buildApp(deps, services, logLines ? { logStream: { write: (line) => logLines.push(line) } } : {});
  t.after(async () => {
    await app.close();
    await storage.close();
  });
  const signingJwk = deps.keys.privateJwks.keys[0];
  if (!signingJwk) throw new Error('no signing key');
  const cookieSecret = deps.keys.cookieSecrets[0] ?? '';
  const { customerToken, operatorToken, device } = await accessTokenSigner(signingJwk, config.publicUrl, cookieSecret);
  const dpopHeaders = (token: string, method: string, url: string) =>
    device.headersFor(method.toUpperCase(), url.startsWith('/') ? `${config.publicUrl}${url}` : url, token);
  return {
    app,
    deps,
    services,
    config,
    customerToken,
    dpopHeaders,
    customerHeaders: async (customerId, method, url) => dpopHeaders(await customerToken(customerId), method, url),
    device,
    faults,
    operatorToken,
    async injectAs(customerId, options) {
      const token = await customerToken(customerId);
      // A proof names PUBLIC_URL, whatever Host the request carries (platform/auth.ts).
      const headers = dpopHeaders(token, options.method ?? 'GET', `${config.publicUrl}${pathOf(options)}`);
      return app.inject({ ...options, headers: { ...options.headers, ...headers } });
    },
  };
}

/**
 * Dependency deadlines for tests that do not test them. With the suite's files in parallel on two
 * cores a process can go unscheduled for over a second; a 1 s cache deadline then fires before the
 * reply (already in the socket) is read, and registration answered 503 (issue 12, "Test suite").
 */
const testDeadlines: { readonly database: DatabaseDeadlines; readonly cacheCommandMs: number } = {
  database: { connectMs: 15_000, statementMs: 30_000 },
  cacheCommandMs: 15_000,
};

function pathOf(options: InjectOptions): string {
  const url = options.url ?? options.path;
  if (typeof url === 'string') return url;
  return url?.pathname ?? '/';
}
