import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { createTestDatabase, type DpopClient, type FaultProxy, startFaultProxy, testRedisUrl } from '@nextgen/testkit';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type AppDependencies, buildApp, createServices, type Services } from '../src/app.ts';
import { connectRedis } from '../src/platform/cache.ts';
import { type Config, loadConfig } from '../src/platform/config.ts';
import { connectPostgres } from '../src/platform/database.ts';
import { loadKeyMaterial } from '../src/platform/keys.ts';
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
  /** Capture every log line (at LOG_LEVEL, default silent) into this array. */
  readonly logLines?: string[];
}

export async function buildTestApp(t: TestContext, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const faults = options.faults
    ? { database: await startFaultProxy(database.url), cache: await startFaultProxy(testRedisUrl) }
    : undefined;
  const config = loadConfig({
    NG_ENV: 'test',
    DATABASE_URL: faults?.database.url ?? database.url,
    REDIS_URL: faults?.cache.url ?? testRedisUrl,
    CACHE_KEY_PREFIX: `ngt:${randomBytes(6).toString('hex')}:`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    SEED_DEMO_DATA: 'false',
    ...options.env,
  });
  const db = connectPostgres(config.databaseUrl ?? database.url, () => {}, 10);
  const cache = connectRedis(config.redisUrl ?? testRedisUrl, config.cacheKeyPrefix, () => {});
  const deps: AppDependencies = { config, db, cache, keys: await loadKeyMaterial(config) };
  const services = createServices(deps);
  const logLines = options.logLines;
  const app = await buildApp(deps, services, logLines ? { logStream: { write: (line) => logLines.push(line) } } : {});
  t.after(async () => {
    await app.close();
    await db.close();
    await cache.close();
    await faults?.database.close();
    await faults?.cache.close();
    await database.drop();
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

function pathOf(options: InjectOptions): string {
  const url = options.url ?? options.path;
  if (typeof url === 'string') return url;
  return url?.pathname ?? '/';
}
