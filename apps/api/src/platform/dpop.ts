import {
  constants,
  createHash,
  createPublicKey,
  hkdfSync,
  type JsonWebKey,
  type KeyObject,
  type VerifyKeyObjectInput,
  verify,
} from 'node:crypto';
import {
  dpopKeysCachedMax,
  dpopNonceStepS,
  dpopProofAgeMaxS,
  dpopProofJtiLengthMax,
  dpopProofLengthMax,
  dpopRsaModulusBitsMin,
} from './constants.ts';
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

const nonceStepS = dpopNonceStepS;

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
  /**
   * The access token the request carries, whose hash the proof must hold (ath); undefined for a
   * token endpoint request (identity/refresh-retry.ts), which carries none, as RFC 9449 §4.3 has it.
   */
  readonly accessToken: string | undefined;
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

/** A proof key ready to check signatures with, and the name replay detection and token binding use. */
interface ProofKey {
  readonly alg: DpopAlgorithm;
  readonly key: KeyObject;
  readonly thumbprint: string;
}

type DpopAlgorithm = (typeof dpopAlgorithms)[number];
const isDpopAlgorithm = (alg: unknown): alg is DpopAlgorithm => (dpopAlgorithms as readonly unknown[]).includes(alg);

const rsaModulusBitsMin = dpopRsaModulusBitsMin;
/** The only key each algorithm may be used with (RFC 7518 §3.4–3.5, RFC 8037). */
const keyFits: Record<DpopAlgorithm, (jwk: Record<string, unknown>, key: KeyObject) => boolean> = {
  ES256: (jwk) => jwk.kty === 'EC' && jwk.crv === 'P-256',
  EdDSA: (jwk) => jwk.kty === 'OKP' && jwk.crv === 'Ed25519',
  Ed25519: (jwk) => jwk.kty === 'OKP' && jwk.crv === 'Ed25519',
  PS256: (jwk, key) => jwk.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= rsaModulusBitsMin,
};

/** node:crypto's one-shot verify with a callback: the check runs on libuv's thread pool, off the event loop. */
function verifyOffThread(
  digest: string | null,
  data: Buffer,
  key: KeyObject | VerifyKeyObjectInput,
  signature: Buffer,
): Promise<boolean> {
  // A signature OpenSSL cannot even parse (wrong length for the key…) fails closed, like a wrong one.
  return new Promise((resolve) => {
    try {
      verify(digest, data, key, signature, (error, holds) => resolve(!error && holds));
    } catch {
      resolve(false);
    }
  });
}

/**
 * Signature checks with node:crypto (docs/adr/0017): no JWK import, no WebCrypto promise machinery
 * per request, and the elliptic-curve arithmetic on the thread pool so that the event loop (the
 * API's bottleneck on reads) keeps serving requests meanwhile.
 */
async function signatureHolds(proofKey: ProofKey, signingInput: Buffer, signature: Buffer): Promise<boolean> {
  const { alg, key } = proofKey;
  if (alg === 'ES256') {
    // JWS carries r || s, 32 bytes each (RFC 7518 §3.4), never DER.
    if (signature.length !== 64) return false;
    return verifyOffThread('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
  }
  if (alg === 'PS256') {
    const pss = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    return verifyOffThread('sha256', signingInput, pss, signature);
  }
  return signature.length === 64 && verifyOffThread(null, signingInput, key, signature);
}

const base64url = /^[A-Za-z0-9_-]*$/;

/** Strict base64url (RFC 7515 §2): no padding, no other alphabet, no stray bits in the last character. */
function decodeSegment(segment: string): Buffer {
  const bytes = base64url.test(segment) ? Buffer.from(segment, 'base64url') : undefined;
  if (!bytes || bytes.toString('base64url') !== segment) throw invalidDpopProof('is not a valid compact JWS');
  return bytes;
}

function jsonObjectOf(segment: string, part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodeSegment(segment).toString('utf8'));
  } catch (error) {
    if (error instanceof DomainError) throw error;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidDpopProof(`has a ${part} that is not a JSON object`);
  return value as Record<string, unknown>;
}

/** The key a proof header names, checked to be a public key that fits the proof's algorithm. */
function importProofKey(header: Record<string, unknown>): ProofKey {
  if (header.typ !== 'dpop+jwt') throw invalidDpopProof('must have the type (typ) dpop+jwt');
  // No extensions: `crit` (and `b64`, which needs it) would change what the signature covers.
  if ('crit' in header || 'b64' in header) throw invalidDpopProof('uses JWS extensions (crit, b64) we do not accept');
  const { alg } = header;
  if (!isDpopAlgorithm(alg)) throw invalidDpopProof('uses an algorithm we do not accept');
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw invalidDpopProof('must carry the public key (jwk) in its header');
  if (privateMembers.some((name) => name in jwk))
    throw invalidDpopProof('must carry a public key, never a private one');
  if ((jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== alg)) {
    throw invalidDpopProof('carries a jwk whose use or alg does not fit the proof');
  }
  const thumbprint = thumbprintOf(jwk);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw invalidDpopProof('carries a jwk that is not a valid public key');
  }
  if (!keyFits[alg](jwk, key)) throw invalidDpopProof('carries a key that does not fit its algorithm');
  return { alg, key, thumbprint };
}

/**
 * Remembers checked proof headers by their exact encoded bytes: an app signs every call with the
 * same key and the same header, and importing a JWK costs more than the signature check itself.
 * The encoded header fixes alg, typ and key, so a hit needs no parsing at all.
 */
function createProofKeys() {
  const imported = new Map<string, ProofKey>();
  return function proofKey(encodedHeader: string): ProofKey {
    const cached = imported.get(encodedHeader);
    if (cached) return cached;
    const found = importProofKey(jsonObjectOf(encodedHeader, 'header'));
    if (imported.size >= dpopKeysCachedMax) {
      // Maps iterate in insertion order: forget the oldest key.
      const oldest = imported.keys().next().value;
      if (oldest !== undefined) imported.delete(oldest);
    }
    imported.set(encodedHeader, found);
    return found;
  };
}

type ProofKeys = ReturnType<typeof createProofKeys>;
/** One cache per process: headers and their keys are public, so sharing them across requests leaks nothing. */
const defaultProofKeys = createProofKeys();

/** A compact JWS (header.payload.signature) whose signature the key in its own header makes. */
async function signedClaims(
  proof: string,
  proofKeys: ProofKeys,
): Promise<{ claims: Record<string, unknown>; thumbprint: string }> {
  if (proof.length > dpopProofLengthMax) throw invalidDpopProof('is too long');
  const segments = proof.split('.');
  if (segments.length !== 3) throw invalidDpopProof('is not a valid compact JWS');
  const [encodedHeader, encodedPayload, encodedSignature] = segments as [string, string, string];
  const proofKey = proofKeys(encodedHeader);
  const signature = decodeSegment(encodedSignature);
  const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
  if (!(await signatureHolds(proofKey, signingInput, signature)))
    throw invalidDpopProof('is not a valid dpop+jwt signed with the public key in its header');
  return { claims: jsonObjectOf(encodedPayload, 'payload'), thumbprint: proofKey.thumbprint };
}

/** Optional JWT time claims, held to RFC 7519 as jose's jwtVerify held them: numbers, and current. */
function checkValidity(claims: Record<string, unknown>, nowS: number): void {
  const { exp, nbf } = claims;
  if (exp !== undefined && (typeof exp !== 'number' || exp <= nowS)) throw invalidDpopProof('has expired (exp)');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowS)) throw invalidDpopProof('is not valid yet (nbf)');
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
  checkValidity(claims, expected.nowS);
  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > dpopProofJtiLengthMax)
    throw invalidDpopProof('needs a jti of 1 to 128 characters');
  if (htm !== expected.method) throw invalidDpopProof('was made for another HTTP method (htm)');
  if (typeof htu !== 'string' || !sameUrl(htu, expected.url)) throw invalidDpopProof('was made for another URL (htu)');
  if (typeof iat !== 'number' || Math.abs(expected.nowS - iat) > dpopProofAgeMaxS)
    throw invalidDpopProof('is too old or from the future (iat)');
  if (expected.accessToken !== undefined && ath !== accessTokenHashOf(expected.accessToken))
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
