/**
 * The phone's device (ADR 0125): the DPoP key is made inside the Secure Enclave (iOS) or Android
 * Keystore (StrongBox where there is one) by @pagopa/io-react-native-crypto and never leaves it;
 * the refresh and ID tokens live in expo-secure-store (Keychain / Keystore-encrypted), readable only
 * while the device is unlocked and never restored to another device; the access token only in
 * memory. Sign-in runs in the system browser (ASWebAuthenticationSession / Custom Tabs), which
 * returns to `nextgen://oauth/callback`.
 */

import { createApiClient, type DpopKeyPair, type PublicJwk, type TokenSet, type TokenStore } from '@nextgen/api-client';
import * as Keys from '@pagopa/io-react-native-crypto';
import * as ExpoCrypto from 'expo-crypto';
import * as SecureStore from 'expo-secure-store';
import * as WebBrowser from 'expo-web-browser';
import { base64ToBytes, derToP1363 } from './der';
import type { Device } from './device-types';
import { safeReturnPath } from './device-types';

const keyTag = 'nextgen.dpop';
const refreshKey = 'nextgen.refresh';
const idKey = 'nextgen.id';
const redirectUri = 'nextgen://oauth/callback';
/** The API's origin for a native build: set at build time (eas.json), `localhost` for a simulator. */
const baseUrl = process.env.EXPO_PUBLIC_API_URL ?? 'http://localhost:3000';

const secure: SecureStore.SecureStoreOptions = { keychainAccessible: SecureStore.WHEN_UNLOCKED_THIS_DEVICE_ONLY };

/** Hermes has no WebCrypto: the API client needs random bytes, UUIDs and SHA-256 (expo-crypto's). */
function installCrypto(): void {
  const existing = (globalThis as { crypto?: Partial<Crypto> }).crypto ?? {};
  const polyfill = {
    ...existing,
    getRandomValues: existing.getRandomValues ?? ExpoCrypto.getRandomValues,
    randomUUID: existing.randomUUID ?? ExpoCrypto.randomUUID,
  };
  Object.defineProperty(globalThis, 'crypto', { value: polyfill, configurable: true });
}

const subtle = {
  digest: async (_algorithm: string, data: Uint8Array) =>
    ExpoCrypto.digest(ExpoCrypto.CryptoDigestAlgorithm.SHA256, data as Uint8Array<ArrayBuffer>),
} as unknown as typeof globalThis.crypto.subtle;

const keyNotFound = (error: unknown) => (error as { message?: unknown } | null)?.message === 'PUBLIC_KEY_NOT_FOUND';

/** This installation's hardware key: made once, P-256 only (ES256 is all the API accepts). */
export async function loadOrCreateHardwareKey(keys: typeof Keys = Keys): Promise<DpopKeyPair> {
  let jwk: Keys.PublicKey;
  try {
    jwk = await keys.getPublicKeyFixed(keyTag);
  } catch (error) {
    if (!keyNotFound(error)) throw error;
    await keys.generate(keyTag);
    jwk = await keys.getPublicKeyFixed(keyTag);
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    // Android falls back to RSA where the Keystore has no EC: DPoP here needs ES256.
    await keys.deleteKey(keyTag);
    throw new Error('This device cannot keep a P-256 key in secure hardware.');
  }
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  return {
    publicJwk,
    // The signing input is a JWS's base64url text: ASCII, so the string form loses nothing.
    sign: async (data) => derToP1363(base64ToBytes(await keys.sign(new TextDecoder().decode(data), keyTag))),
  };
}

export function createSecureTokenStore(store: typeof SecureStore = SecureStore): TokenStore {
  let access: { accessToken: string; accessTokenExpiresAtMs: number } | undefined;
  return {
    async load() {
      const refreshToken = await store.getItemAsync(refreshKey, secure);
      if (!refreshToken) return access && { ...access };
      const idToken = (await store.getItemAsync(idKey, secure)) ?? undefined;
      return { accessToken: '', accessTokenExpiresAtMs: 0, ...access, refreshToken, idToken };
    },
    async save(tokens: TokenSet) {
      access = { accessToken: tokens.accessToken, accessTokenExpiresAtMs: tokens.accessTokenExpiresAtMs };
      // One item each: some Android keystores refuse values over 2 KB.
      if (tokens.refreshToken) await store.setItemAsync(refreshKey, tokens.refreshToken, secure);
      if (tokens.idToken) await store.setItemAsync(idKey, tokens.idToken, secure);
    },
    async clear() {
      access = undefined;
      await store.deleteItemAsync(refreshKey, secure);
      await store.deleteItemAsync(idKey, secure);
    },
  };
}

export async function openDevice(): Promise<Device> {
  installCrypto();
  const tokens = createSecureTokenStore();
  const api = createApiClient({ baseUrl, dpop: await loadOrCreateHardwareKey(), tokens, subtle });
  return {
    api,
    hasSignIn: async () => Boolean(await tokens.load()),
    async signIn({ maxAgeS, returnTo }) {
      const pending = await api.auth.beginSignIn({ redirectUri, maxAgeS });
      const result = await WebBrowser.openAuthSessionAsync(pending.authorizationUrl, redirectUri);
      if (result.type !== 'success') return { status: 'cancelled' };
      await api.completeSignIn(result.url, pending);
      return { status: 'signed-in', returnTo: safeReturnPath(returnTo) };
    },
    completeRedirect: async () => {
      throw new Error('Native sign-ins finish in signIn(): the auth session returns the redirect.');
    },
  };
}
