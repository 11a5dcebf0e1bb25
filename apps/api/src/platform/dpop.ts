import { createHash, hkdfSync } from 'node:crypto';
import { importJWK, type JWK, type JWTHeaderParameters, errors as joseErrors, jwtVerify } from 'jose';
import { dpopKeysCachedMax, dpopProofAgeMaxS, dpopProofJtiLengthMax, dpopProofLengthMax } from './constants.ts';
import { DomainError, unauthorized } from './errors.ts';
import type { KeyMaterial } from './keys.ts';

/**
 * DPoP (RFC 9449) on the resource server: the proof a client sends with every call made with a
 * sender-constrained access token. See docs/adr/0015-fapi2-dpop-par-public-client.md.
 *
 * Nonces (RFC 9449 §8–9) are stateless: an HKDF of a server secret and the current minute, the same
 * construction and secret as the authorization server's (oidc-provider's ServerChallenge with info
 * "DPoP"), so a nonce the token endpoint handed out is good at the API too and no pod stores one.
 * Replay of a proof's `jti` is refused with the shared cache (admission.ts), not here, so that the
 * check travels in admission's single cache round trip.
 */
export const dpopAlgorithms = ['ES256', 'EdDSA', 'Ed25519', 'PS256'] as const;
const algsParameter = `algs="${dpopAlgorithms.join(' ')}"`;

const nonceStepS = 60;

/** The nonce secret both the authorization server and the API derive from the deployment's cookie secret. */
export function dpopNonceSecretOf(keys: Pick<KeyMaterial, 'cookieSecrets'>): Buffer {
  return createHash('sha256')
    .update(`dpop-nonce:${keys.cookieSecrets[0] ?? ''}`)
    .digest();
}

function stepBytes(step: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(step));
  return bytes;
}

export interface DpopNonces {
  /** The nonce clients should use next (valid for the coming few minutes). */
  next(): string;
  /** True for a nonce of the last two, this or the next two minutes. */
  isCurrent(nonce: string): boolean;
}

/** Nonces as oidc-provider computes them: accepted from two minutes before to two after, `next` is +1. */
export function createDpopNonces(secret: Buffer, nowMs: () => number = Date.now): DpopNonces {
  let windowStep = Number.NaN;
  let window: string[] = [];
  const compute = (step: number) =>
    Buffer.from(hkdfSync('sha256', secret, stepBytes(step), 'DPoP', 32)).toString('base64url');
  const current = (): string[] => {
    const step = Math.floor(nowMs() / 1000 / nonceStepS);
    if (step !== windowStep) {
      windowStep = step;
      window = [step - 2, step - 1, step, step + 1, step + 2].map(compute);
    }
    return window;
  };
  return {
    next: () => current()[3] as string,
    isCurrent: (nonce) => current().includes(nonce),
  };
}

/** What a valid proof establishes: the key it was signed with, and its id for replay detection. */
export interface DpopProof {
  readonly keyThumbprint: string;
  readonly jti: string;
  /** True when the proof used an older nonce: the answer should carry the next one. */
  readonly nonceAging: boolean;
}

export interface ProofExpectations {
  readonly method: string;
  /** The request's URL without query or fragment, as the client addressed it. */
  readonly url: string;
  readonly accessToken: string;
  readonly nowS: number;
}

export function invalidDpopProof(description: string): DomainError {
  return unauthorized('invalid_dpop_proof', `Your DPoP proof ${description}. Sign a new proof for this request.`, {
    headers: {
      'www-authenticate': `DPoP realm="nextgen", error="invalid_dpop_proof", error_description="proof ${description}", ${algsParameter}`,
    },
  });
}

function useDpopNonce(nonces: DpopNonces): DomainError {
  return unauthorized('use_dpop_nonce', 'Sign the DPoP proof again with the nonce in the DPoP-Nonce header.', {
    headers: {
      'www-authenticate': `DPoP realm="nextgen", error="use_dpop_nonce", error_description="a current server nonce is required", ${algsParameter}`,
      'dpop-nonce': nonces.next(),
    },
  });
}

const sameUrl = (a: string, b: string): boolean => {
  const parsed = URL.parse(a);
  if (!parsed) return false;
  parsed.search = '';
  parsed.hash = '';
  return parsed.href === URL.parse(b)?.href;
};

export const accessTokenHashOf = (accessToken: string) => createHash('sha256').update(accessToken).digest('base64url');

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/** RFC 7638: the SHA-256 of the key type's required members, in lexicographic order. */
function thumbprintOf(jwk: Record<string, unknown>): string {
  const required: Record<string, string[]> = {
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
    RSA: ['e', 'kty', 'n'],
  };
  const members = required[String(jwk.kty)];
  if (!members || members.some((name) => typeof jwk[name] !== 'string')) {
    throw invalidDpopProof('must carry an EC, OKP or RSA public key in its jwk header');
  }
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

type ProofKey = Exclude<Awaited<ReturnType<typeof importJWK>>, Uint8Array>;

/**
 * Verifies proofs with the public key in their header. An app signs every call with the same key,
 * so the imported key is remembered by algorithm and thumbprint (which fixes the key material):
 * importing a JWK costs about as much as the signature check itself.
 */
function createProofKeys() {
  const imported = new Map<string, ProofKey>();
  return async function proofKey(header: JWTHeaderParameters): Promise<{ key: ProofKey; thumbprint: string }> {
    const jwk = header.jwk as Record<string, unknown> | undefined;
    if (typeof jwk !== 'object' || jwk === null)
      throw invalidDpopProof('must carry the public key (jwk) in its header');
    if (privateMembers.some((name) => name in jwk))
      throw invalidDpopProof('must carry a public key, never a private one');
    if ((jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== header.alg)) {
      throw invalidDpopProof('carries a jwk whose use or alg does not fit the proof');
    }
    const thumbprint = thumbprintOf(jwk);
    const cacheKey = `${header.alg} ${thumbprint}`;
    const cached = imported.get(cacheKey);
    if (cached) return { key: cached, thumbprint };
    const key = await importJWK(jwk as JWK, header.alg);
    if (key instanceof Uint8Array) throw invalidDpopProof('must carry an asymmetric public key');
    if (imported.size >= dpopKeysCachedMax) {
      // Maps iterate in insertion order: forget the oldest key.
      const oldest = imported.keys().next().value;
      if (oldest !== undefined) imported.delete(oldest);
    }
    imported.set(cacheKey, key);
    return { key, thumbprint };
  };
}

type ProofKeys = ReturnType<typeof createProofKeys>;
/** One cache per process: keys are public and thumbprint-addressed, so sharing them leaks nothing. */
const defaultProofKeys = createProofKeys();

async function signedClaims(
  proof: string,
  proofKeys: ProofKeys,
): Promise<{ claims: Record<string, unknown>; thumbprint: string }> {
  if (proof.length > dpopProofLengthMax) throw invalidDpopProof('is too long');
  let thumbprint = '';
  try {
    const { payload } = await jwtVerify(
      proof,
      async (header) => {
        const found = await proofKeys(header);
        thumbprint = found.thumbprint;
        return found.key;
      },
      { typ: 'dpop+jwt', algorithms: [...dpopAlgorithms] },
    );
    return { claims: payload as Record<string, unknown>, thumbprint };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof joseErrors.JOSEAlgNotAllowed) throw invalidDpopProof('uses an algorithm we do not accept');
    throw invalidDpopProof('is not a valid dpop+jwt signed with the public key in its header');
  }
}

/**
 * Checks one proof against the request it came with: signature by the embedded public key, type,
 * algorithm, method, URL, age, access-token hash and a current server nonce. Throws a DomainError
 * (401 invalid_dpop_proof or use_dpop_nonce) otherwise.
 */
export async function verifyDpopProof(
  proof: string,
  expected: ProofExpectations,
  nonces: DpopNonces,
  proofKeys: ProofKeys = defaultProofKeys,
): Promise<DpopProof> {
  const { claims, thumbprint } = await signedClaims(proof, proofKeys);
  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > dpopProofJtiLengthMax)
    throw invalidDpopProof('needs a jti of 1 to 128 characters');
  if (htm !== expected.method) throw invalidDpopProof('was made for another HTTP method (htm)');
  if (typeof htu !== 'string' || !sameUrl(htu, expected.url)) throw invalidDpopProof('was made for another URL (htu)');
  if (typeof iat !== 'number' || Math.abs(expected.nowS - iat) > dpopProofAgeMaxS)
    throw invalidDpopProof('is too old or from the future (iat)');
  if (ath !== accessTokenHashOf(expected.accessToken))
    throw invalidDpopProof('does not carry the hash of this access token (ath)');
  if (typeof nonce !== 'string' || !nonces.isCurrent(nonce)) throw useDpopNonce(nonces);
  return {
    keyThumbprint: thumbprint,
    jti,
    nonceAging: nonce !== nonces.next(),
  };
}

/** The cache key that remembers a proof's jti for as long as its iat keeps it acceptable. */
export const dpopReplayKeyOf = (proof: DpopProof) => `dpop:jti:${proof.keyThumbprint}:${proof.jti}`;
/** iat may be up to dpopProofAgeMaxS off either way, so a jti is remembered for twice that. */
export const dpopReplayMemoryMs = 2 * dpopProofAgeMaxS * 1000;
