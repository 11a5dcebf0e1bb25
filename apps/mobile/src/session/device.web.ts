/**
 * The browser's device (ADR 0110): a non-extractable WebCrypto P-256 key and the refresh token in
 * IndexedDB, the access token in memory, refreshes serialised across tabs with Web Locks. Sign-in
 * is a same-origin redirect: the pushed request is made here, the page goes to the API's sign-in
 * page, and the API's redirect to /auth/callback brings the code back to this origin.
 */
import { createApiClient, SignInRedirectError } from '@nextgen/api-client';
import {
  createWebTokenStore,
  loadOrCreateDpopKey,
  openDeviceStore,
  savePendingSignIn,
  takePendingSignIn,
  webRefreshLock,
} from '@nextgen/api-client/web';
import type { Device, SignInOutcome } from './device-types';
import { safeReturnPath } from './device-types';

const returnKey = 'nextgen.returnTo';

interface BrowserGlobals {
  readonly indexedDB: Parameters<typeof openDeviceStore>[0];
  readonly location: { readonly origin: string; assign(url: string): void };
  readonly sessionStorage: {
    getItem(k: string): string | null;
    setItem(k: string, v: string): void;
    removeItem(k: string): void;
  };
  readonly navigator: { readonly locks?: Parameters<typeof webRefreshLock>[0] };
}

export async function openDevice(): Promise<Device> {
  const web = globalThis as unknown as BrowserGlobals;
  const store = await openDeviceStore(web.indexedDB);
  const dpop = await loadOrCreateDpopKey(store);
  const tokens = createWebTokenStore(store);
  const baseUrl = web.location.origin;
  const api = createApiClient({
    baseUrl,
    dpop,
    tokens,
    refreshLock: web.navigator.locks ? webRefreshLock(web.navigator.locks) : undefined,
  });
  return {
    api,
    hasSignIn: async () => Boolean(await tokens.load()),
    async signIn({ maxAgeS, returnTo }) {
      const pending = await api.auth.beginSignIn({ redirectUri: `${baseUrl}/auth/callback`, maxAgeS });
      await savePendingSignIn(store, pending);
      // Only a path inside the app, and nothing secret: the verifier stays in IndexedDB.
      web.sessionStorage.setItem(returnKey, safeReturnPath(returnTo));
      web.location.assign(pending.authorizationUrl);
      return new Promise<SignInOutcome>(() => {});
    },
    async completeRedirect(callbackUrl) {
      const pending = await takePendingSignIn(store);
      if (!pending) {
        throw new SignInRedirectError(
          'state_mismatch',
          'This sign-in answer was not started here, or was used already.',
        );
      }
      await api.completeSignIn(callbackUrl, pending);
      const returnTo = safeReturnPath(web.sessionStorage.getItem(returnKey));
      web.sessionStorage.removeItem(returnKey);
      return returnTo;
    },
  };
}
