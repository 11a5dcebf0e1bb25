import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readinessQueryWaitMaxMsDefault, readinessQueryWaitMaxMsLimit } from './constants.ts';
import { currencyExponents, isCurrency } from './money.ts';
import { parseS3Url } from './s3.ts';

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
  /**
   * Readiness turns red (503) while a database query or connection acquire has waited longer than
   * this (READINESS_QUERY_WAIT_MAX_MS): the database is wedged even if the process lives.
   */
  readonly readinessQueryWaitMaxMs: number;
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
  /**
   * Whether the shared `nextgen-backoffice` client (automation: demo data, benchmarks, tests) may
   * act directly, outside four-eyes. Default true except in production, where only named operators
   * act (docs/adr/0041-operators-as-confidential-clients.md).
   */
  readonly backofficeAutomation: boolean;
  /** API processes sharing the port (Node cluster); more than 1 needs PostgreSQL and Redis. */
  readonly apiWorkers: number;
  /**
   * Which proxies to trust for the client address (X-Forwarded-For): false, true, a hop count or a
   * list of addresses/CIDRs. Behind a load balancer this must be set, or every client looks like
   * the load balancer to the rate limiter and the login throttle.
   */
  readonly trustProxy: boolean | number | string;
  /**
   * WebAuthn relying party id passkeys are bound to: PUBLIC_URL's host by default. Passkeys made for
   * one RP id never work for another, so it must not change once customers have registered passkeys.
   */
  readonly webauthnRpId: string;
  /**
   * Origins whose passkey ceremonies are accepted: PUBLIC_URL's origin by default, plus the apps'
   * (e.g. `android:apk-key-hash:…` for the Android app, the web build's https origin).
   */
  readonly webauthnOrigins: readonly string[];
  /** Certificate and key (PEM files) to serve TLS with; absent means plain HTTP behind a TLS-terminating proxy. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Browser origins allowed to call the API cross-origin (exact `scheme://host[:port]`); none by default. */
  readonly corsAllowedOrigins: readonly string[];
  /**
   * Folder of the web app's build (`expo export -p web`) served at `/` (WEB_APP_DIR): apps/mobile/dist/web
   * by default, none under NG_ENV=test. A folder without index.html serves nothing, and the API starts.
   */
  readonly webAppDir: string | undefined;
  /**
   * The apps the association files name (platform/app-links.ts): iOS `TEAMID.bundle.id`s
   * (IOS_APP_IDS) and the Android package (ANDROID_APP_PACKAGE) with its signing certificates'
   * SHA-256 fingerprints (ANDROID_CERT_SHA256). Empty: that file answers 404.
   */
  readonly appLinks: AppLinksConfig;
  /**
   * Transfers to another customer above this amount need a passkey approval (step-up), per
   * currency: `CUR:amount` pairs in each currency's major unit ("EUR:500.00,KWD:150.000") over the
   * defaults (constants.ts stepUpThresholdDefaults), or one bare amount for every currency ("0").
   * Empty: the defaults. See payments/step-up-policy.ts.
   */
  readonly stepUpThreshold: string;
  /** Whether unapproved payments to others in the last 24 hours add up towards the threshold (default true). */
  readonly stepUpCumulative: boolean;
  /** Whether a first payment to an account the customer never paid needs a passkey approval (default true). */
  readonly stepUpNewPayee: boolean;
  /**
   * Whether transfers are scored for fraud (RISK_SCORING; risk/, docs/adr/0130): on by default, off
   * by default under NG_ENV=test. Off allows every transfer as before the risk module (benchmarks
   * of the posting path alone, test suites about other things). Refused in production.
   */
  readonly riskScoring: boolean;
  /**
   * Whether the decisions act (RISK_SCORING=true) or are only recorded (RISK_SCORING=monitor): a
   * monitored decision is scored and stored like any other, marked not enforced, and the transfer
   * goes on as allowed: a new model's or a new bank's trial on real traffic before it refuses
   * anyone, and the benchmark of scoring's cost (docs/adr/0134). Refused in production.
   */
  readonly riskEnforced: boolean;
  /**
   * The fraud model artifact (FRAUD_MODEL_PATH): a file (packages/ml/models/fraud.json by default)
   * or `s3://bucket/key` (docs/adr/0132), loaded at start and read again every
   * `fraudModelRefreshMs` (FRAUD_MODEL_REFRESH_MS, 60 s; 0: never) to switch models without a restart.
   */
  readonly fraudModelPath: string;
  readonly fraudModelRefreshMs: number;
  /** For an s3:// model: FRAUD_MODEL_S3_REGION (AWS_REGION by default) and FRAUD_MODEL_S3_ENDPOINT (path-style, optional). */
  readonly fraudModelS3: { readonly region: string | undefined; readonly endpoint: string | undefined };
  /**
   * The categoriser artifact (CATEGORISER_PATH, the worker reads the same setting): a file,
   * packages/ml/models/categoriser.json by default, or a bank's retrained one
   * (docs/ml/category-labels.md). Loaded once at start; a missing or broken file is not a
   * configuration error: uncorrected lines are then 'other' and a warning names the problem.
   */
  readonly categoriserPath: string;
  /**
   * Who wraps the per-customer data keys (platform/crypto): `local` (a key file, development and
   * tests) or `aws` (AWS KMS, required in production).
   */
  readonly kmsProvider: 'local' | 'aws';
  /** The AWS KMS key (id, ARN or alias) that wraps data keys; required with KMS_PROVIDER=aws. */
  readonly kmsKeyId: string | undefined;
  /** AWS region of the KMS key; required with KMS_PROVIDER=aws. */
  readonly awsRegion: string | undefined;
  /** KMS endpoint override (a VPC endpoint, or a fake KMS in tests); the region's default when absent. */
  readonly kmsEndpoint: string | undefined;
  /**
   * The local key-encryption-key file; `DATA_DIR/kek.json` by default. Under NG_ENV=test without it,
   * a fixed, public test key is used so test processes sharing a database agree (never outside test).
   */
  readonly localKekFile: string | undefined;
  /** Where signed audit chain heads are exported and what signs them (docs/adr/0055-signed-audit-chain-heads.md). */
  readonly auditHeads: AuditHeadConfig;
}

export interface AuditHeadConfig {
  /** `local` (a folder, development) or `s3` (S3 Object Lock, required in production): AUDIT_HEAD_STORE. */
  readonly store: 'local' | 's3';
  /** The local folder (AUDIT_HEAD_DIR); `DATA_DIR/audit-heads` by default. */
  readonly dir: string;
  /** The Object Lock bucket (AUDIT_HEAD_BUCKET); required with AUDIT_HEAD_STORE=s3. */
  readonly bucket: string | undefined;
  /** The bucket's region (AUDIT_HEAD_REGION); AWS_REGION by default. */
  readonly region: string | undefined;
  /** Key prefix inside the bucket (AUDIT_HEAD_PREFIX), `audit-heads/` by default. */
  readonly prefix: string;
  /** S3 endpoint override, path-style (AUDIT_HEAD_ENDPOINT): a VPC endpoint, MinIO, a fake in tests. */
  readonly endpoint: string | undefined;
  /** Days each exported head stays locked (AUDIT_HEAD_RETENTION_DAYS), 2557 (seven years) by default. */
  readonly retentionDays: number;
  /** What signs heads (AUDIT_HEAD_SIGNING): `local` key file or `aws` KMS; aws by default in production only. */
  readonly signing: 'local' | 'aws';
  /** The asymmetric ECC_NIST_P256 SIGN_VERIFY KMS key (AUDIT_HEAD_KMS_KEY_ID); required with signing aws. */
  readonly kmsKeyId: string | undefined;
  /**
   * The local signing key file (AUDIT_HEAD_SIGNING_KEY_FILE); `DATA_DIR/audit-head-key.json` by default.
   * Under NG_ENV=test without it, a fixed public test key is used (never outside test).
   */
  readonly signingKeyFile: string | undefined;
}

export class ConfigError extends Error {
  constructor(setting: string, problem: string) {
    super(`configuration: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** The app's custom scheme and the Expo web build's development address. */
/** The native app's scheme, Expo's dev server, and the web build served on the API's own origin. */
const defaultMobileRedirectUris = (publicUrl: string) =>
  `nextgen://oauth/callback,http://localhost:8081/oauth/callback,${publicUrl}/auth/callback`;

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

function tlsOf(certFile: string | undefined, keyFile: string | undefined): Config['tls'] {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined) throw new ConfigError('TLS_CERT_FILE', 'is required when TLS_KEY_FILE is set');
  if (keyFile === undefined) throw new ConfigError('TLS_KEY_FILE', 'is required when TLS_CERT_FILE is set');
  return { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
}

/** Exact origins only: a wildcard or a path would widen the allowlist in ways nobody reviewed. */
function originsOf(raw: string | undefined): string[] {
  const origins = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin.includes('*') || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(
        'CORS_ALLOWED_ORIGINS',
        `must be a comma-separated list of origins like https://app.example.com (no path, no wildcard), got "${origin}"`,
      );
    }
  }
  return origins;
}

function stepUpThresholdOf(raw: string): string {
  const amount = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,3})?$/;
  if (raw === '' || amount.test(raw)) return raw;
  for (const entry of raw.split(',')) {
    const [currency = '', value = '', extra] = entry.trim().split(':');
    const decimals = value.split('.')[1]?.length ?? 0;
    if (extra !== undefined || !isCurrency(currency) || !amount.test(value) || decimals > currencyExponents[currency])
      throw new ConfigError(
        'STEP_UP_THRESHOLD',
        `must be CUR:amount pairs such as EUR:500.00,KWD:150.000 (a currency the bank keeps, at most its own decimals) or one amount such as 500.00, got "${entry.trim()}"`,
      );
  }
  return raw;
}

export interface AppLinksConfig {
  readonly iosAppIds: readonly string[];
  readonly android: { readonly packageName: string; readonly certSha256: readonly string[] } | undefined;
}

/** The repository's web build, next to this file: apps/api/src/platform → apps/mobile/dist/web. */
const repositoryWebAppDir = fileURLToPath(new URL('../../../mobile/dist/web', import.meta.url));

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
  const kms = kmsSettings(env, environment);
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
  const mobileRedirectUris = text(env, 'MOBILE_REDIRECT_URIS', defaultMobileRedirectUris(publicUrl))
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
    readinessQueryWaitMaxMs: integer(
      env,
      'READINESS_QUERY_WAIT_MAX_MS',
      readinessQueryWaitMaxMsDefault,
      1,
      readinessQueryWaitMaxMsLimit,
    ),
    ibanCountry,
    ibanBankCode,
    signingJwks,
    cookieSecrets,
    backofficeClientSecret,
    mobileRedirectUris,
    seedDemoData: flag(env, 'SEED_DEMO_DATA', databaseUrl === undefined),
    backofficeAutomation: flag(env, 'BACKOFFICE_AUTOMATION', environment !== 'production'),
    apiWorkers,
    trustProxy: trustProxyOf(optional(env, 'TRUST_PROXY')),
    ...webauthnSettings(env, publicUrl),
    tls: tlsOf(optional(env, 'TLS_CERT_FILE'), optional(env, 'TLS_KEY_FILE')),
    corsAllowedOrigins: originsOf(optional(env, 'CORS_ALLOWED_ORIGINS')),
    webAppDir: webAppDirOf(optional(env, 'WEB_APP_DIR'), environment),
    appLinks: appLinksOf(env),
    stepUpThreshold: stepUpThresholdOf(text(env, 'STEP_UP_THRESHOLD', '')),
    stepUpCumulative: flag(env, 'STEP_UP_CUMULATIVE', true),
    stepUpNewPayee: flag(env, 'STEP_UP_NEW_PAYEE', true),
    ...riskSettings(env, environment),
    categoriserPath: path.resolve(text(env, 'CATEGORISER_PATH', repositoryCategoriserPath)),
    ...kms,
    auditHeads: auditHeadSettings(env, environment, kms, path.resolve(text(env, 'DATA_DIR', '.data'))),
  };
}

/** The committed model, resolved from this file so the default does not depend on the working directory. */
const repositoryFraudModel = fileURLToPath(new URL('../../../../packages/ml/models/fraud.json', import.meta.url));

/** The committed categoriser (`./ng ml insights-train` writes it), resolved from this file as the fraud model is. */
export const repositoryCategoriserPath = fileURLToPath(
  new URL('../../../../packages/ml/models/categoriser.json', import.meta.url),
);

/**
 * RISK_SCORING as the API and the worker both read it: `monitor` (scored and stored, not acted on;
 * ADR 0134), a flag otherwise. Off by default under NG_ENV=test only: the suites' fixture customers
 * have no history and no signed-in device, so every payment of theirs looks like a mule's; risk
 * tests turn it on.
 */
export function riskScoringMode(env: Env, environment: string): 'off' | 'monitor' | 'on' {
  if (optional(env, 'RISK_SCORING') === 'monitor') return 'monitor';
  return flag(env, 'RISK_SCORING', environment !== 'test') ? 'on' : 'off';
}

function riskSettings(env: Env, environment: Config['environment']) {
  const mode = riskScoringMode(env, environment);
  const riskScoring = mode !== 'off';
  // Security state fails closed: production never runs without fraud scoring acting on its decisions.
  if (mode !== 'on' && environment === 'production') {
    throw new ConfigError('RISK_SCORING', 'must be true in production');
  }
  const location = text(env, 'FRAUD_MODEL_PATH', repositoryFraudModel);
  const s3 = location.startsWith('s3://');
  if (s3 && !parseS3Url(location)) throw new ConfigError('FRAUD_MODEL_PATH', 'must be a file path or s3://bucket/key');
  const region = optional(env, 'FRAUD_MODEL_S3_REGION') ?? optional(env, 'AWS_REGION');
  if (s3 && !region) throw new ConfigError('FRAUD_MODEL_S3_REGION', 'is required for an s3:// model (or AWS_REGION)');
  return {
    riskScoring,
    riskEnforced: mode !== 'monitor',
    fraudModelPath: s3 ? location : path.resolve(location),
    fraudModelRefreshMs: integer(env, 'FRAUD_MODEL_REFRESH_MS', 60_000, 0, 24 * 60 * 60 * 1000),
    fraudModelS3: { region, endpoint: url(env, 'FRAUD_MODEL_S3_ENDPOINT', ['http:', 'https:']) },
  };
}

/** Audit chain head export: S3 Object Lock and KMS signing in production, a local folder and key elsewhere. */
function auditHeadSettings(
  env: Env,
  environment: Config['environment'],
  kms: { awsRegion: string | undefined },
  dataDir: string,
): AuditHeadConfig {
  const store = oneOf(env, 'AUDIT_HEAD_STORE', ['local', 's3'] as const, 'local');
  // KMS in production (required there); elsewhere the local key unless asked, so setting KMS_PROVIDER=aws
  // for personal data alone needs no signing key.
  const signing = oneOf(
    env,
    'AUDIT_HEAD_SIGNING',
    ['local', 'aws'] as const,
    environment === 'production' ? 'aws' : 'local',
  );
  const bucket = optional(env, 'AUDIT_HEAD_BUCKET');
  const region = optional(env, 'AUDIT_HEAD_REGION') ?? kms.awsRegion;
  const kmsKeyId = optional(env, 'AUDIT_HEAD_KMS_KEY_ID');
  const prefix = text(env, 'AUDIT_HEAD_PREFIX', 'audit-heads/');
  const signingKeyFile = optional(env, 'AUDIT_HEAD_SIGNING_KEY_FILE');
  if (environment === 'production') {
    if (store !== 's3') throw new ConfigError('AUDIT_HEAD_STORE', 'must be s3 in production (write-once storage)');
    if (signing !== 'aws') throw new ConfigError('AUDIT_HEAD_SIGNING', 'must be aws in production (a KMS key)');
  }
  if (store === 's3') {
    if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new ConfigError('AUDIT_HEAD_BUCKET', 'is required with AUDIT_HEAD_STORE=s3: an S3 bucket name');
    }
    if (!region || !/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(region)) {
      throw new ConfigError(
        'AUDIT_HEAD_REGION',
        'is required with AUDIT_HEAD_STORE=s3 (or AWS_REGION), e.g. eu-central-1',
      );
    }
  }
  if (!/^([A-Za-z0-9!_.*'()-]+\/)*$/.test(prefix)) {
    throw new ConfigError(
      'AUDIT_HEAD_PREFIX',
      `must be empty or end with "/" and hold only safe key characters, got "${prefix}"`,
    );
  }
  if (signing === 'aws') {
    if (!kmsKeyId) throw new ConfigError('AUDIT_HEAD_KMS_KEY_ID', 'is required with AUDIT_HEAD_SIGNING=aws');
    if (!kms.awsRegion)
      throw new ConfigError('AWS_REGION', 'is required with AUDIT_HEAD_SIGNING=aws, e.g. eu-central-1');
  }
  return {
    store,
    dir: path.resolve(optional(env, 'AUDIT_HEAD_DIR') ?? path.join(dataDir, 'audit-heads')),
    bucket,
    region,
    prefix,
    endpoint: url(env, 'AUDIT_HEAD_ENDPOINT', ['http:', 'https:']),
    retentionDays: integer(env, 'AUDIT_HEAD_RETENTION_DAYS', 2557, 1, 36_500),
    signing,
    kmsKeyId,
    signingKeyFile: signingKeyFile && path.resolve(signingKeyFile),
  };
}

/** Key management: AWS KMS in production (refused without it), a local key file elsewhere by default. */
function kmsSettings(env: Env, environment: Config['environment']) {
  const kmsProvider = oneOf(env, 'KMS_PROVIDER', ['local', 'aws'] as const, 'local');
  const kmsKeyId = optional(env, 'KMS_KEY_ID');
  const awsRegion = optional(env, 'AWS_REGION');
  const kmsEndpoint = url(env, 'KMS_ENDPOINT', ['http:', 'https:']);
  const localKekFile = optional(env, 'LOCAL_KEK_FILE');
  if (environment === 'production' && kmsProvider !== 'aws') {
    throw new ConfigError('KMS_PROVIDER', 'must be aws in production (the local key file is for development only)');
  }
  if (kmsProvider === 'aws') {
    if (!kmsKeyId) throw new ConfigError('KMS_KEY_ID', 'is required with KMS_PROVIDER=aws');
    if (!awsRegion || !/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(awsRegion)) {
      throw new ConfigError('AWS_REGION', 'is required with KMS_PROVIDER=aws, e.g. eu-central-1');
    }
  }
  return { kmsProvider, kmsKeyId, awsRegion, kmsEndpoint, localKekFile: localKekFile && path.resolve(localKekFile) };
}

/** Passkeys: the RP id must be PUBLIC_URL's host or a parent domain of it (WebAuthn's rule). */
function webauthnSettings(env: Env, publicUrl: string) {
  const publicHost = new URL(publicUrl).hostname;
  const webauthnRpId = text(env, 'WEBAUTHN_RP_ID', publicHost).toLowerCase();
  if (publicHost !== webauthnRpId && !publicHost.endsWith(`.${webauthnRpId}`)) {
    throw new ConfigError('WEBAUTHN_RP_ID', `must be PUBLIC_URL's host (${publicHost}) or a parent domain of it`);
  }
  // iOS apps present the https origin of their associated domain; Android apps their signing key's hash.
  const webauthnOrigins = text(env, 'WEBAUTHN_ORIGINS', new URL(publicUrl).origin)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of webauthnOrigins) {
    const isAppOrigin = /^android:apk-key-hash:[A-Za-z0-9_-]+$/.test(origin);
    if (!isAppOrigin && URL.parse(origin)?.origin !== origin) {
      throw new ConfigError(
        'WEBAUTHN_ORIGINS',
        `must be a comma-separated list of origins (https://host[:port]) or android:apk-key-hash:…, got "${origin}"`,
      );
    }
  }
  return { webauthnRpId, webauthnOrigins };
}

function webAppDirOf(setting: string | undefined, environment: Config['environment']): string | undefined {
  if (setting !== undefined) return path.resolve(setting);
  return environment === 'test' ? undefined : repositoryWebAppDir;
}

/** Apple's app id: a ten-character team id, a dot, the bundle id. */
const iosAppIdPattern = /^[A-Z0-9]{10}\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
/** An Android application id: dot-separated Java identifiers, at least two. */
const androidPackagePattern = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+$/;
/** A SHA-256 certificate fingerprint as keytool and Play Console print it: 32 hex pairs joined by colons. */
const certFingerprintPattern = /^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/;

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function appLinksOf(env: Env): AppLinksConfig {
  const iosAppIds = listOf(optional(env, 'IOS_APP_IDS'));
  for (const id of iosAppIds) {
    if (!iosAppIdPattern.test(id)) {
      throw new ConfigError('IOS_APP_IDS', `must be comma-separated TEAMID.bundle.id values, got "${id}"`);
    }
  }
  const packageName = optional(env, 'ANDROID_APP_PACKAGE');
  const certSha256 = listOf(optional(env, 'ANDROID_CERT_SHA256')).map((f) => f.toUpperCase());
  if (packageName !== undefined && !androidPackagePattern.test(packageName)) {
    throw new ConfigError('ANDROID_APP_PACKAGE', 'must be an Android application id such as org.nextgen.bank');
  }
  for (const fingerprint of certSha256) {
    if (!certFingerprintPattern.test(fingerprint)) {
      throw new ConfigError('ANDROID_CERT_SHA256', 'must be comma-separated SHA-256 fingerprints (AB:CD:… 32 pairs)');
    }
  }
  if ((packageName === undefined) !== (certSha256.length === 0)) {
    throw new ConfigError(
      packageName === undefined ? 'ANDROID_APP_PACKAGE' : 'ANDROID_CERT_SHA256',
      'ANDROID_APP_PACKAGE and ANDROID_CERT_SHA256 go together: give both or neither',
    );
  }
  return { iosAppIds, android: packageName ? { packageName, certSha256 } : undefined };
}
