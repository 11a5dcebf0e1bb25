import { type DpopKeyPair, dpopKeyPairOf, generateDpopKeys } from '../dpop.ts';
import type { DeviceKeyPair, Subtle } from '../encoding.ts';
import type { DeviceStore } from './indexed-db.ts';

const keyName = 'dpop-key';

/**
 * The browser's device key: a P-256 key pair made with WebCrypto, its private half
 * non-extractable, kept in IndexedDB as CryptoKey objects (structured clone keeps them
 * non-extractable). Script on the page can sign with it but never read it, so a token copied off
 * the device is useless without the device (ADR 0110).
 */
export async function loadOrCreateDpopKey(store: DeviceStore, subtle: Subtle = crypto.subtle): Promise<DpopKeyPair> {
  let keys = await store.get<DeviceKeyPair>(keyName);
  if (!keys) {
    keys = await generateDpopKeys(subtle);
    if (keys.privateKey.extractable) throw new Error('the DPoP private key must not be extractable');
    await store.put(keyName, keys);
  }
  return dpopKeyPairOf(subtle, keys);
}

/** A new device: the next sign-in binds its tokens to a new key. */
export const forgetDpopKey = (store: DeviceStore) => store.delete(keyName);
