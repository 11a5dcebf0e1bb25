/** base64url (RFC 4648 §5, no padding) over bytes and UTF-8 text, with no Node-only API. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export const base64urlText = (text: string) => base64url(new TextEncoder().encode(text));

export function randomBase64url(byteCount: number): string {
  const bytes = new Uint8Array(byteCount);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

export async function sha256Base64url(subtle: Subtle, text: string): Promise<string> {
  return base64url(new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

/**
 * WebCrypto's types, named without the DOM library (the repo type-checks against Node's globals;
 * React Native and browsers give the same shapes).
 */
export type Subtle = typeof globalThis.crypto.subtle;
/** A WebCrypto key handle (structured-cloneable; its private half stays non-extractable). */
export type WebCryptoKey = InstanceType<typeof CryptoKey>;
export interface DeviceKeyPair {
  readonly publicKey: WebCryptoKey;
  readonly privateKey: WebCryptoKey;
}
