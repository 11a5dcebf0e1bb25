import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';

/**
 * Signing keys for tokens and secrets for cookies. Production passes them in (SIGNING_JWKS,
 * COOKIE_SECRETS, from the secrets manager); development keeps generated ones in DATA_DIR so
 * sessions survive restarts; tests generate fresh ones in memory.
 */
export interface PrivateJwk {
  kty: string;
  kid: string;
  alg: string;
  use: 'sig';
  [member: string]: unknown;
}

export interface KeyMaterial {
  readonly privateJwks: { keys: PrivateJwk[] };
  readonly publicJwks: { keys: Record<string, unknown>[] };
  readonly cookieSecrets: string[];
}

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

export function generateSigningKey(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { ...jwk, kty: 'EC', kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };
}

function publicOf(jwk: PrivateJwk): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => !privateMembers.includes(name)));
}

function parseJwks(text: string): { keys: PrivateJwk[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('SIGNING_JWKS', 'is not valid JSON');
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new ConfigError('SIGNING_JWKS', 'must be a JWKS with at least one key');
  for (const key of keys as PrivateJwk[]) {
    if (typeof key.kid !== 'string' || key.alg !== 'ES256' || typeof key.d !== 'string') {
      throw new ConfigError('SIGNING_JWKS', 'keys must be private ES256 JWKs with a kid');
    }
  }
  return { keys: keys as PrivateJwk[] };
}

export function keyMaterialFrom(privateJwks: { keys: PrivateJwk[] }, cookieSecrets: string[]): KeyMaterial {
  return { privateJwks, publicJwks: { keys: privateJwks.keys.map(publicOf) }, cookieSecrets };
}

export async function loadKeyMaterial(config: Config): Promise<KeyMaterial> {
  if (config.signingJwks && config.cookieSecrets) {
    return keyMaterialFrom(parseJwks(config.signingJwks), [...config.cookieSecrets]);
  }
  if (config.environment === 'test') {
    return keyMaterialFrom({ keys: [generateSigningKey()] }, [randomBytes(32).toString('base64url')]);
  }
  const file = path.join(config.dataDir, 'keys.json');
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as {
      jwks: { keys: PrivateJwk[] };
      cookieSecrets: string[];
    };
    return keyMaterialFrom(config.signingJwks ? parseJwks(config.signingJwks) : stored.jwks, [
      ...(config.cookieSecrets ?? stored.cookieSecrets),
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generated = { jwks: { keys: [generateSigningKey()] }, cookieSecrets: [randomBytes(32).toString('base64url')] };
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(generated), { mode: 0o600 });
  return keyMaterialFrom(config.signingJwks ? parseJwks(config.signingJwks) : generated.jwks, [
    ...(config.cookieSecrets ?? generated.cookieSecrets),
  ]);
}
