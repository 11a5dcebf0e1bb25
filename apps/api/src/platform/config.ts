import path from 'node:path';

/**
 * Configuration is read once, from the environment, validated, and passed down. Nothing else reads
 * process.env. A missing or bad setting stops the process with one line naming it.
 */
export interface Config {
  readonly environment: 'development' | 'test' | 'production';
  readonly host: string;
  readonly port: number;
  /** Public base URL of the API; the OAuth issuer is `${publicUrl}/oidc`. */
  readonly publicUrl: string;
  /** PostgreSQL connection string; undefined means the embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Redis connection string; undefined means the in-process cache. */
  readonly redisUrl: string | undefined;
  /** Prefix for every cache key, so several deployments (or tests) can share one Redis. */
  readonly cacheKeyPrefix: string;
  /** Folder for embedded data (PGlite files, development keys). */
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly rateLimitPerMinute: number;
  /** Country and bank code used to issue IBANs for new accounts. */
  readonly ibanCountry: string;
  readonly ibanBankCode: string;
  /** JWKS (JSON) with the private keys that sign tokens; generated into dataDir outside production. */
  readonly signingJwks: string | undefined;
  /** Secrets that sign the login cookies; generated into dataDir outside production. */
  readonly cookieSecrets: readonly string[] | undefined;
  /** Client secret of the back-office OAuth client (client credentials); required in production. */
  readonly backofficeClientSecret: string | undefined;
  /** Where the authorization server may send the mobile app back after sign-in (its redirect URIs). */
  readonly mobileRedirectUris: readonly string[];
  /** Load demo customers on first start of an empty database. */
  readonly seedDemoData: boolean;
  /** API processes sharing the port (Node cluster); more than 1 needs PostgreSQL and Redis. */
  readonly apiWorkers: number;
  /**
   * Which proxies to trust for the client address (X-Forwarded-For): false, true, a hop count or a
   * list of addresses/CIDRs. Behind a load balancer this must be set, or every client looks like
   * the load balancer to the rate limiter and the login throttle.
   */
  readonly trustProxy: boolean | number | string;
}

export class ConfigError extends Error {
  constructor(setting: string, problem: string) {
    super(`configuration: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** The app's custom scheme and the Expo web build's development address. */
const defaultMobileRedirectUris = 'nextgen://oauth/callback,http://localhost:8081/oauth/callback';

function text(env: Env, name: string, fallback?: string): string {
  const value = env[name]?.trim();
  if (value) return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(name, 'is required');
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function trustProxyOf(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^[0-9]{1,2}$/.test(raw)) return Number(raw);
  if (/^[0-9a-fA-F.:/,\s]+$/.test(raw)) return raw;
  throw new ConfigError(
    'TRUST_PROXY',
    `must be true, false, a hop count or a comma-separated list of addresses/CIDRs, got "${raw}"`,
  );
}

export function loadConfig(env: Env = process.env): Config {
  const environment = oneOf(env, 'NG_ENV', ['development', 'test', 'production'] as const, 'development');
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = text(env, 'HOST', '127.0.0.1');
  const publicUrl = (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/$/, '');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const signingJwks = optional(env, 'SIGNING_JWKS');
  const cookieSecrets = optional(env, 'COOKIE_SECRETS')
    ?.split(',')
    .map((s) => s.trim());
  const backofficeClientSecret = optional(env, 'BACKOFFICE_CLIENT_SECRET');
  if (environment === 'production') {
    if (!databaseUrl) throw new ConfigError('DATABASE_URL', 'is required in production');
    if (!redisUrl) throw new ConfigError('REDIS_URL', 'is required in production');
    if (!signingJwks) throw new ConfigError('SIGNING_JWKS', 'is required in production');
    if (!cookieSecrets) throw new ConfigError('COOKIE_SECRETS', 'is required in production');
    if (!publicUrl.startsWith('https:')) throw new ConfigError('PUBLIC_URL', 'must be https in production');
    if (!backofficeClientSecret) throw new ConfigError('BACKOFFICE_CLIENT_SECRET', 'is required in production');
  }
  if (cookieSecrets?.some((s) => s.length < 32)) {
    throw new ConfigError('COOKIE_SECRETS', 'must be a comma-separated list of secrets of 32+ characters');
  }
  if (backofficeClientSecret !== undefined && backofficeClientSecret.length < 32) {
    throw new ConfigError('BACKOFFICE_CLIENT_SECRET', 'must be at least 32 characters');
  }
  const ibanCountry = text(env, 'IBAN_COUNTRY', 'DE');
  if (!/^[A-Z]{2}$/.test(ibanCountry)) throw new ConfigError('IBAN_COUNTRY', 'must be a two-letter country code');
  const ibanBankCode = text(env, 'IBAN_BANK_CODE', '50010517');
  if (!/^[A-Z0-9]{1,11}$/.test(ibanBankCode)) throw new ConfigError('IBAN_BANK_CODE', 'must be 1-11 letters or digits');
  const cacheKeyPrefix = text(env, 'CACHE_KEY_PREFIX', 'ng:');
  const apiWorkers = integer(env, 'API_WORKERS', 1, 1, 64);
  if (apiWorkers > 1 && (!databaseUrl || !redisUrl)) {
    throw new ConfigError(
      'API_WORKERS',
      'above 1 needs DATABASE_URL and REDIS_URL: the embedded database and cache live in one process',
    );
  }
  const mobileRedirectUris = text(env, 'MOBILE_REDIRECT_URIS', defaultMobileRedirectUris)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const uri of mobileRedirectUris) {
    if (!URL.canParse(uri) || uri.includes('#')) {
      throw new ConfigError(
        'MOBILE_REDIRECT_URIS',
        `must be a comma-separated list of URIs without fragments, got "${uri}"`,
      );
    }
  }
  return {
    environment,
    host,
    port,
    publicUrl,
    databaseUrl,
    redisUrl,
    cacheKeyPrefix,
    dataDir: path.resolve(text(env, 'DATA_DIR', '.data')),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1000, 1, 1_000_000),
    ibanCountry,
    ibanBankCode,
    signingJwks,
    cookieSecrets,
    backofficeClientSecret,
    mobileRedirectUris,
    seedDemoData: flag(env, 'SEED_DEMO_DATA', databaseUrl === undefined),
    apiWorkers,
    trustProxy: trustProxyOf(optional(env, 'TRUST_PROXY')),
  };
}
