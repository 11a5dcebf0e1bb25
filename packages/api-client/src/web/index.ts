/**
 * The web build's device: IndexedDB holds the non-extractable DPoP key, the refresh token and the
 * pending sign-in; Web Locks serialise refreshes across tabs. Native builds implement DpopKeyPair
 * and TokenStore over the platform's keystore and expo-secure-store instead.
 */
export { forgetDpopKey, loadOrCreateDpopKey } from './dpop-key-store.ts';
export { type DeviceStore, type IdbFactory, openDeviceStore } from './indexed-db.ts';
export { createWebTokenStore, savePendingSignIn, takePendingSignIn } from './token-store.ts';

interface LockManager {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * `navigator.locks` as the client's refresh lock: two tabs share one refresh token, and the second
 * refresh of a spent token would revoke the whole sign-in (reuse detection).
 */
export const webRefreshLock =
  (locks: LockManager) =>
  <T>(refresh: () => Promise<T>): Promise<T> =>
    locks.request('nextgen-token-refresh', refresh);
