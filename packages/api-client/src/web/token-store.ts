import type { PendingSignIn } from '../oauth.ts';
import type { TokenSet, TokenStore } from '../tokens.ts';
import type { DeviceStore } from './indexed-db.ts';

/**
 * Tokens on the web (ADR 0110): the access token in this tab's memory only; the refresh token and
 * ID token in IndexedDB beside the device key, so a reload or a new tab stays signed in by
 * refreshing. Both are DPoP-bound: copied off the device they are useless without its key.
 * Never localStorage (readable by any script, synchronous, no structured keys).
 */
const refreshName = 'refresh-token';
const pendingName = 'pending-sign-in';

interface StoredRefresh {
  readonly refreshToken: string;
  readonly idToken?: string | undefined;
}

export function createWebTokenStore(store: DeviceStore): TokenStore {
  let access: { accessToken: string; accessTokenExpiresAtMs: number } | undefined;
  return {
    async load() {
      const stored = await store.get<StoredRefresh>(refreshName);
      if (!stored) return access && { ...access };
      // No access token in this tab yet: an expired one makes the client refresh first.
      return { accessToken: '', accessTokenExpiresAtMs: 0, ...access, ...stored };
    },
    async save(tokens: TokenSet) {
      access = { accessToken: tokens.accessToken, accessTokenExpiresAtMs: tokens.accessTokenExpiresAtMs };
      if (tokens.refreshToken)
        await store.put(refreshName, { refreshToken: tokens.refreshToken, idToken: tokens.idToken });
    },
    async clear() {
      access = undefined;
      await store.delete(refreshName);
    },
  };
}

/**
 * The PKCE verifier and state survive the redirect to the sign-in page in IndexedDB, and are read
 * once: the verifier is useless without the DPoP key the pushed request bound the code to.
 */
export const savePendingSignIn = (store: DeviceStore, pending: PendingSignIn) => store.put(pendingName, pending);

export async function takePendingSignIn(store: DeviceStore): Promise<PendingSignIn | undefined> {
  const pending = await store.get<PendingSignIn>(pendingName);
  await store.delete(pendingName);
  return pending;
}
