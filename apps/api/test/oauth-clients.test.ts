import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oauthDriver } from '@nextgen/testkit';
import { loadConfig } from '../src/platform/config.ts';
import { buildTestApp } from './helper.ts';

const production = {
  NG_ENV: 'production',
  DATABASE_URL: 'postgres://db/x',
  REDIS_URL: 'redis://r',
  SIGNING_JWKS: '{"keys":[]}',
  COOKIE_SECRETS: 'c'.repeat(32),
  PUBLIC_URL: 'https://bank.example',
};

describe('OAuth client configuration', () => {
  it('takes the mobile redirect URIs from MOBILE_REDIRECT_URIS, with the app scheme, Expo web and the served web app by default', () => {
    assert.deepEqual(loadConfig({}).mobileRedirectUris, [
      'nextgen://oauth/callback',
      'http://localhost:8081/oauth/callback',
      'http://localhost:3000/auth/callback',
    ]);
    assert.deepEqual(
      loadConfig({ PUBLIC_URL: 'https://bank.example/' }).mobileRedirectUris.at(-1),
      'https://bank.example/auth/callback',
    );
    assert.deepEqual(loadConfig({ MOBILE_REDIRECT_URIS: 'app://a, https://b.example/cb' }).mobileRedirectUris, [
      'app://a',
      'https://b.example/cb',
    ]);
    assert.throws(() => loadConfig({ MOBILE_REDIRECT_URIS: 'not a uri' }), /MOBILE_REDIRECT_URIS must be/);
    assert.throws(() => loadConfig({ MOBILE_REDIRECT_URIS: 'app://cb#x' }), /without fragments/);
  });

  it('requires the back-office client secret in production', () => {
    assert.throws(() => loadConfig(production), /BACKOFFICE_CLIENT_SECRET is required in production/);
  });

  it('lets the app sign in only through a configured redirect URI', async (t) => {
    const { app } = await buildTestApp(t, { env: { MOBILE_REDIRECT_URIS: 'bank.example.app:/oauth' } });
    const customer = { name: 'Mary Jackson', email: 'mary@example.com', password: 'wind tunnels at langley' };
    const configured = oauthDriver(app, { redirectUri: 'bank.example.app:/oauth' });
    await configured.registerCustomer(customer);
    assert.match((await configured.signIn(customer)).customerId, /^cus_/);
    await assert.rejects(oauthDriver(app).beginSignIn(), /redirect_uri did not match/);
  });
});
