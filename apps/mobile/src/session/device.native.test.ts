import { createSign, generateKeyPairSync, verify } from 'node:crypto';
import type * as Keys from '@pagopa/io-react-native-crypto';
import type * as SecureStore from 'expo-secure-store';
import { createSecureTokenStore, loadOrCreateHardwareKey } from './device.native';

/** The hardware keystore as the module presents it: P-256 keys by tag, DER signatures in base64. */
function fakeKeystore(kind: 'ec' | 'rsa' = 'ec') {
  const keys = new Map<string, ReturnType<typeof generateKeyPairSync>>();
  const calls: string[] = [];
  const jwkOf = (tag: string) => {
    const pair = keys.get(tag);
    if (!pair) return Promise.reject({ message: 'PUBLIC_KEY_NOT_FOUND', userInfo: {} });
    return Promise.resolve(pair.publicKey.export({ format: 'jwk' }) as unknown as Keys.PublicKey);
  };
  const module = {
    getPublicKeyFixed: async (tag: string) => {
      calls.push('getPublicKeyFixed');
      return jwkOf(tag);
    },
    generate: async (tag: string) => {
      calls.push('generate');
      keys.set(
        tag,
        kind === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('rsa', { modulusLength: 2048 }),
      );
      return jwkOf(tag);
    },
    deleteKey: async (tag: string) => {
      calls.push('deleteKey');
      keys.delete(tag);
    },
    sign: async (message: string, tag: string) => {
      const pair = keys.get(tag);
      if (!pair) throw { message: 'PUBLIC_KEY_NOT_FOUND', userInfo: {} };
      return createSign('SHA256').update(message).sign(pair.privateKey).toString('base64');
    },
  };
  return { module: module as unknown as typeof Keys, calls, keys };
}

describe('the native DPoP key', () => {
  it('is made in the keystore once, then found again, and signs ES256 proofs that verify', async () => {
    const store = fakeKeystore();
    const first = await loadOrCreateHardwareKey(store.module);
    expect(store.calls).toEqual(['getPublicKeyFixed', 'generate', 'getPublicKeyFixed']);
    const again = await loadOrCreateHardwareKey(store.module);
    expect(again.publicJwk).toEqual(first.publicJwk);
    expect(store.calls.filter((c) => c === 'generate')).toHaveLength(1);

    const signingInput = 'eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJodG0iOiJHRVQifQ';
    const signature = await first.sign(new TextEncoder().encode(signingInput));
    expect(signature).toHaveLength(64);
    const [pair] = [...store.keys.values()];
    if (!pair) throw new Error('the keystore holds no key');
    expect(
      verify('sha256', Buffer.from(signingInput), { key: pair.publicKey, dsaEncoding: 'ieee-p1363' }, signature),
    ).toBe(true);
  });

  it('refuses a keystore that could only make RSA, and leaves no key behind', async () => {
    const store = fakeKeystore('rsa');
    await expect(loadOrCreateHardwareKey(store.module)).rejects.toThrow(/cannot keep a P-256 key/);
    expect(store.keys.size).toBe(0);
  });

  it('passes other keystore failures on instead of making a new key', async () => {
    const store = fakeKeystore();
    const broken = {
      ...store.module,
      getPublicKeyFixed: async () => Promise.reject({ message: 'KEYCHAIN_LOAD_FAILED', userInfo: {} }),
    } as typeof Keys;
    await expect(loadOrCreateHardwareKey(broken)).rejects.toEqual({ message: 'KEYCHAIN_LOAD_FAILED', userInfo: {} });
    expect(store.calls).not.toContain('generate');
  });
});

describe('the native token store', () => {
  function fakeSecureStore() {
    const items = new Map<string, string>();
    const options: (SecureStore.SecureStoreOptions | undefined)[] = [];
    const module = {
      getItemAsync: async (key: string, o?: SecureStore.SecureStoreOptions) => {
        options.push(o);
        return items.get(key) ?? null;
      },
      setItemAsync: async (key: string, value: string, o?: SecureStore.SecureStoreOptions) => {
        options.push(o);
        items.set(key, value);
      },
      deleteItemAsync: async (key: string, o?: SecureStore.SecureStoreOptions) => {
        options.push(o);
        items.delete(key);
      },
    };
    return { module: module as unknown as typeof SecureStore, items, options };
  }

  it('keeps the refresh and ID tokens in the secure store, the access token in memory only', async () => {
    const secure = fakeSecureStore();
    const store = createSecureTokenStore(secure.module);
    await store.save({ accessToken: 'access', refreshToken: 'refresh', idToken: 'id', accessTokenExpiresAtMs: 42 });
    expect([...secure.items.entries()]).toEqual([
      ['nextgen.refresh', 'refresh'],
      ['nextgen.id', 'id'],
    ]);
    expect(await store.load()).toEqual({
      accessToken: 'access',
      refreshToken: 'refresh',
      idToken: 'id',
      accessTokenExpiresAtMs: 42,
    });
    // Readable only while the device is unlocked, never restored to another device.
    expect(secure.options.every((o) => o?.keychainAccessible !== undefined)).toBe(true);

    // A restart: the access token is gone, so the client refreshes first.
    const restarted = createSecureTokenStore(secure.module);
    expect(await restarted.load()).toEqual({
      accessToken: '',
      accessTokenExpiresAtMs: 0,
      refreshToken: 'refresh',
      idToken: 'id',
    });
    await restarted.clear();
    expect(secure.items.size).toBe(0);
    expect(await restarted.load()).toBeUndefined();
  });
});
