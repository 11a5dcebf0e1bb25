import {
  base64url,
  base64urlText,
  type DeviceKeyPair,
  randomBase64url,
  type Subtle,
  sha256Base64url,
} from './encoding.ts';

/**
 * DPoP (RFC 9449): the device's key and the proofs it signs. The private key never leaves its
 * store — a non-extractable WebCrypto key on the web (web/dpop-key-store.ts), the Secure Enclave or
 * Android Keystore on native — so the interface asks only for its public JWK and a signature.
 */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

export interface DpopKeyPair {
  /** The public key every proof carries in its header. */
  readonly publicJwk: PublicJwk;
  /** ES256: an ECDSA P-256 SHA-256 signature over `data`, as the 64-byte r‖s (IEEE P1363) form. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** A DpopKeyPair over a WebCrypto key pair (non-extractable private key). */
export async function dpopKeyPairOf(subtle: Subtle, keys: DeviceKeyPair): Promise<DpopKeyPair> {
  const { x, y } = await subtle.exportKey('jwk', keys.publicKey);
  if (!x || !y) throw new Error('the DPoP public key is not an EC key');
  return {
    publicJwk: { kty: 'EC', crv: 'P-256', x, y },
    // WebCrypto's ECDSA signatures are already r‖s, the form JWS wants (RFC 7518 §3.4).
    sign: async (data) =>
      new Uint8Array(
        await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, data as Uint8Array<ArrayBuffer>),
      ),
  };
}

/** A new P-256 key pair whose private half can sign but never be exported. */
export function generateDpopKeys(subtle: Subtle): Promise<DeviceKeyPair> {
  return subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]) as Promise<DeviceKeyPair>;
}

/** RFC 7638 thumbprint: the `cnf.jkt` of every token bound to the key. */
export function jwkThumbprint(subtle: Subtle, jwk: PublicJwk): Promise<string> {
  // The required members in lexicographic order, no whitespace.
  return sha256Base64url(subtle, JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }));
}

/** `htu`: the request URL without query or fragment (RFC 9449 §4.2). */
export function htuOf(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

export interface ProofInput {
  readonly method: string;
  readonly url: string;
  /** The access token the request carries; its SHA-256 becomes `ath`. */
  readonly accessToken?: string | undefined;
  readonly nonce?: string | undefined;
}

/** One proof, for one request: a fresh `jti`, `iat` now. */
export async function createDpopProof(subtle: Subtle, key: DpopKeyPair, input: ProofInput): Promise<string> {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk };
  const payload: Record<string, unknown> = {
    jti: randomBase64url(16),
    htm: input.method.toUpperCase(),
    htu: htuOf(input.url),
    iat: Math.floor(Date.now() / 1000),
  };
  if (input.accessToken !== undefined) payload.ath = await sha256Base64url(subtle, input.accessToken);
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  const signingInput = `${base64urlText(JSON.stringify(header))}.${base64urlText(JSON.stringify(payload))}`;
  return `${signingInput}.${base64url(await key.sign(new TextEncoder().encode(signingInput)))}`;
}

/**
 * The server's latest DPoP nonce per origin. The authorization server and the API share one nonce
 * on one origin (docs/api/authentication.md); any answer's `DPoP-Nonce` header replaces it.
 */
export class DpopNonces {
  readonly #byOrigin = new Map<string, string>();

  get(url: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin);
  }

  /** Remembers the answer's nonce; true when it carried one. */
  learn(url: string, headers: Headers): boolean {
    const nonce = headers.get('dpop-nonce');
    if (!nonce) return false;
    this.#byOrigin.set(new URL(url).origin, nonce);
    return true;
  }
}

/** True when the answer asks for a (new) nonce: 401 from the API, 400 from the token endpoint. */
export async function wantsDpopNonce(response: Response): Promise<boolean> {
  if (response.status !== 400 && response.status !== 401) return false;
  if (!response.headers.has('dpop-nonce')) return false;
  if (/error="use_dpop_nonce"/.test(response.headers.get('www-authenticate') ?? '')) return true;
  const text = await response.clone().text();
  return /"(?:error|code)"\s*:\s*"use_dpop_nonce"/.test(text);
}
