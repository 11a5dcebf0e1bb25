import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildTestApp } from '../../../apps/api/test/helper.ts';
import { createApiClient, jwkThumbprint } from '../src/index.ts';
import {
  createWebTokenStore,
  type DeviceStore,
  loadOrCreateDpopKey,
  savePendingSignIn,
  takePendingSignIn,
} from '../src/web/index.ts';
import { appFetch, browserSignIn, type Exchange } from './app-fetch.ts';

/**
 * The web build's device over a DeviceStore that, like IndexedDB, keeps structured clones (Node's
 * structuredClone keeps CryptoKey objects and their non-extractability). IndexedDB itself
 * (web/indexed-db.ts) has no real implementation in Node: the Chromium end-to-end tests of the
 * served web build cover it.
 */
function cloningStore(): DeviceStore & { readonly values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    get: async <T>(key: string) => (values.has(key) ? (structuredClone(values.get(key)) as T) : undefined),
    put: async (key, value) => {
      values.set(key, structuredClone(value));
    },
    delete: async (key) => {
      values.delete(key);
    },
  };
}

const baseUrl = 'http://localhost:3000';
const redirectUri = `${baseUrl}/auth/callback`;

describe('the web device', () => {
  it('keeps one non-extractable key, and a reload stays signed in through the stored refresh token', async (t) => {
    const testApp = await buildTestApp(t, { env: { MOBILE_REDIRECT_URIS: redirectUri } });
    const log: Exchange[] = [];
    const fetchApp = appFetch(testApp.app, log);
    const device = cloningStore();

    const key = await loadOrCreateDpopKey(device);
    const stored = device.values.get('dpop-key') as { privateKey: { extractable: boolean } };
    assert.equal(stored.privateKey.extractable, false);
    await assert.rejects(crypto.subtle.exportKey('jwk', stored.privateKey as never));
    const again = await loadOrCreateDpopKey(device);
    assert.equal(
      await jwkThumbprint(crypto.subtle, again.publicJwk),
      await jwkThumbprint(crypto.subtle, key.publicJwk),
      'the same key after a reload',
    );

    const api = createApiClient({ baseUrl, dpop: key, tokens: createWebTokenStore(device), fetch: fetchApp });
    const email = `grace-${randomUUID()}@example.com`;
    const password = 'correct horse battery staple';
    await api.POST('/api/v1/customers', { body: { name: 'Grace Hopper', email, password } });
    await savePendingSignIn(device, await api.auth.beginSignIn({ redirectUri }));
    // The page navigates away to sign in and comes back: the pending sign-in is read once.
    const pending = await takePendingSignIn(device);
    assert.ok(pending);
    assert.equal(await takePendingSignIn(device), undefined);
    await api.completeSignIn(
      await browserSignIn(fetchApp, pending.authorizationUrl, redirectUri, { email, password }),
      pending,
    );
    assert.ok((await api.GET('/api/v1/customers/me')).data?.id);
    const persisted = JSON.stringify([...device.values.entries()].filter(([name]) => name !== 'dpop-key'));
    assert.doesNotMatch(persisted, /"accessToken"/, 'the access token stays in memory');

    // A reload: a new tab's client, the same IndexedDB. It refreshes before its first call.
    const reloaded = createApiClient({
      baseUrl,
      dpop: await loadOrCreateDpopKey(device),
      tokens: createWebTokenStore(device),
      fetch: fetchApp,
    });
    const before = log.length;
    assert.ok((await reloaded.GET('/api/v1/customers/me')).data?.id);
    assert.ok(log.slice(before).some((e) => e.url.endsWith('/oidc/token') && e.status === 200));
    await reloaded.signOut();
    assert.equal(device.values.has('refresh-token'), false);
  });
});
