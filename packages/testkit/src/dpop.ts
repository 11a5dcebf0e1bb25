import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';

/**
 * DPoP (RFC 9449) for tests, benchmarks and scripts: a device key, the proofs it signs, and a
 * client that keeps the server's latest nonce, as the mobile app does.
 *
 * Proofs are signed synchronously with node:crypto (ES256, P-256), so a load generator can sign
 * one per request without awaiting.
 */
export interface DpopProofClaims {
  readonly method: string;
  /** The request URL; query and fragment are dropped as RFC 9449 §4.2 says. */
  readonly url: string;
  /** The access token the request carries: its hash becomes `ath`. */
  readonly accessToken?: string;
  readonly nonce?: string;
  /** Seconds since the epoch; now by default. */
  readonly iatS?: number;
  readonly jti?: string;
}

export interface DpopKey {
  /** The public JWK that goes in every proof's header. */
  readonly publicJwk: Readonly<Record<string, string>>;
  /** Its RFC 7638 SHA-256 thumbprint: the `cnf.jkt` of tokens bound to it. */
  readonly thumbprint: string;
  /** A proof for one request. */
  proof(claims: DpopProofClaims): string;
  /** Signs any header and payload with this key (ES256), for tests of malformed proofs. */
  signJws(header: Record<string, unknown>, payload: Record<string, unknown>): string;
  /** The private JWK, for a command-line session file kept with mode 600 (scripts/token.ts). */
  exportPrivateJwk(): Record<string, string>;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export const accessTokenHash = (accessToken: string) => createHash('sha256').update(accessToken).digest('base64url');

function htuOf(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

function signEs256(privateKey: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** A new P-256 device key, or the one a saved private JWK holds. */
export function createDpopKey(savedPrivateJwk?: Record<string, string>): DpopKey {
  const { privateKey, publicKey } = savedPrivateJwk
    ? {
        privateKey: createPrivateKey({ key: savedPrivateJwk, format: 'jwk' }),
        publicKey: createPublicKey({ key: savedPrivateJwk, format: 'jwk' }),
      }
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { crv, x, y } = publicKey.export({ format: 'jwk' }) as { crv: string; x: string; y: string };
  const publicJwk = { kty: 'EC', crv, x, y };
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ crv, kty: 'EC', x, y }))
    .digest('base64url');
  const signJws = (header: Record<string, unknown>, payload: Record<string, unknown>) =>
    signEs256(privateKey, header, payload);
  return {
    publicJwk,
    thumbprint,
    signJws,
    exportPrivateJwk: () => privateKey.export({ format: 'jwk' }) as Record<string, string>,
    proof(claims) {
      const payload: Record<string, unknown> = {
        jti: claims.jti ?? randomBytes(16).toString('base64url'),
        htm: claims.method,
        htu: htuOf(claims.url),
        iat: claims.iatS ?? Math.floor(Date.now() / 1000),
      };
      if (claims.accessToken !== undefined) payload.ath = accessTokenHash(claims.accessToken);
      if (claims.nonce !== undefined) payload.nonce = claims.nonce;
      return signJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk }, payload);
    },
  };
}

/** Response headers as fetch or inject give them. */
type HeadersLike = Headers | Readonly<Record<string, unknown>>;

function headerOf(headers: HeadersLike, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return value === undefined ? undefined : String(value);
}

/**
 * One device: its DPoP key and the last nonce a server gave it. The authorization server and the
 * API share nonces, so one client serves both.
 */
export interface DpopClient {
  readonly key: DpopKey;
  /** The last nonce learnt, if any. */
  readonly nonce: string | undefined;
  /** Remembers the DPoP-Nonce header of a response, if it has one. */
  learnNonce(headers: HeadersLike): void;
  /** True when the response asks for (another) nonce; the nonce is learnt, so retry once. */
  wantsNonce(status: number, headers: HeadersLike, body?: string): boolean;
  /** Authorization and DPoP headers for one API call with a DPoP-bound access token. */
  headersFor(method: string, url: string, accessToken: string): { authorization: string; dpop: string };
  /** A proof with the current nonce, for token endpoint and PAR requests (no access token). */
  proofFor(method: string, url: string, accessToken?: string): string;
}

/**
 * `options.nonce` supplies the nonce from elsewhere (a test that knows the server's nonce secret, a
 * load generator sharing one nonce across devices); when it returns undefined the learnt one is used.
 */
export function createDpopClient(
  key: DpopKey = createDpopKey(),
  options: { nonce?: () => string | undefined } = {},
): DpopClient {
  let learnt: string | undefined;
  const nonceNow = () => options.nonce?.() ?? learnt;
  const client: DpopClient = {
    key,
    get nonce() {
      return nonceNow();
    },
    learnNonce(headers) {
      const nonce = headerOf(headers, 'dpop-nonce');
      if (nonce) learnt = nonce;
    },
    wantsNonce(status, headers, body = '') {
      client.learnNonce(headers);
      if (status !== 400 && status !== 401) return false;
      return /use_dpop_nonce/.test(headerOf(headers, 'www-authenticate') ?? '') || /"use_dpop_nonce"/.test(body);
    },
    proofFor(method, url, accessToken) {
      const nonce = nonceNow();
      return key.proof({
        method,
        url,
        ...(accessToken === undefined ? {} : { accessToken }),
        ...(nonce === undefined ? {} : { nonce }),
      });
    },
    headersFor(method, url, accessToken) {
      return { authorization: `DPoP ${accessToken}`, dpop: client.proofFor(method, url, accessToken) };
    },
  };
  return client;
}
