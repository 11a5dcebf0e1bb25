import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, repositoryCategoriserPath } from './config.ts';

describe('configuration', () => {
  it('runs embedded with no settings at all', () => {
    const config = loadConfig({});
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.rateLimitPerMinute, 1000);
    assert.equal(config.seedDemoData, true);
  });

  it('names the bad setting in one line', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty' }),
      (e: Error) =>
        e instanceof ConfigError && e.message === 'configuration: PORT must be a whole number, got "eighty"',
    );
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL must use postgres: or postgresql:/);
    assert.throws(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }), /RATE_LIMIT_PER_MINUTE must be between 1 and/);
    assert.throws(() => loadConfig({ NG_ENV: 'prod' }), /NG_ENV must be one of development, test, production/);
    assert.throws(() => loadConfig({ IBAN_COUNTRY: 'germany' }), /IBAN_COUNTRY/);
    for (const threshold of ['EUR:500', 'JPY:500.5', 'XYZ:10.00', 'EUR:5.00:1', '500,00', 'EUR:-1.00'])
      if (threshold !== 'EUR:500')
        assert.throws(() => loadConfig({ STEP_UP_THRESHOLD: threshold }), /STEP_UP_THRESHOLD/, threshold);
    assert.equal(loadConfig({ STEP_UP_THRESHOLD: 'EUR:500, KWD:150.000' }).stepUpThreshold, 'EUR:500, KWD:150.000');
    assert.equal(loadConfig({}).stepUpCumulative, true);
  });

  it("binds passkeys to PUBLIC_URL's host and origin unless told otherwise", () => {
    const config = loadConfig({ PUBLIC_URL: 'https://api.bank.example' });
    assert.equal(config.webauthnRpId, 'api.bank.example');
    assert.deepEqual(config.webauthnOrigins, ['https://api.bank.example']);
    const apps = loadConfig({
      PUBLIC_URL: 'https://api.bank.example',
      WEBAUTHN_RP_ID: 'bank.example',
      WEBAUTHN_ORIGINS: 'https://bank.example, android:apk-key-hash:Abc_-123',
    });
    assert.equal(apps.webauthnRpId, 'bank.example');
    assert.deepEqual(apps.webauthnOrigins, ['https://bank.example', 'android:apk-key-hash:Abc_-123']);
  });

  it('refuses an RP ID the public URL does not belong to, and origins that are not origins', () => {
    const publicUrl = 'https://api.bank.example';
    assert.throws(() => loadConfig({ PUBLIC_URL: publicUrl, WEBAUTHN_RP_ID: 'evil.example' }), /WEBAUTHN_RP_ID/);
    assert.throws(() => loadConfig({ PUBLIC_URL: publicUrl, WEBAUTHN_RP_ID: 'ank.example' }), /WEBAUTHN_RP_ID/);
    assert.throws(
      () => loadConfig({ PUBLIC_URL: publicUrl, WEBAUTHN_ORIGINS: 'https://bank.example/login' }),
      /WEBAUTHN_ORIGINS/,
    );
  });

  it('reads the categoriser from the committed artifact unless CATEGORISER_PATH names another, resolved', () => {
    assert.equal(loadConfig({}).categoriserPath, repositoryCategoriserPath);
    assert.match(repositoryCategoriserPath, /packages\/ml\/models\/categoriser\.json$/);
    assert.equal(
      loadConfig({ CATEGORISER_PATH: '/models/categoriser-2026-12.json' }).categoriserPath,
      '/models/categoriser-2026-12.json',
    );
    assert.equal(loadConfig({ CATEGORISER_PATH: 'retrained.json' }).categoriserPath, path.resolve('retrained.json'));
    assert.equal(loadConfig({ CATEGORISER_PATH: '  ' }).categoriserPath, repositoryCategoriserPath, 'blank is unset');
    // A file that is missing or broken is not a configuration error: the API starts without the model.
    assert.equal(loadConfig({ CATEGORISER_PATH: '/nonexistent/x.json' }).categoriserPath, '/nonexistent/x.json');
  });

  it('refuses to run production without its secrets and services', () => {
    assert.throws(() => loadConfig({ NG_ENV: 'production' }), /DATABASE_URL is required in production/);
    assert.throws(
      () => loadConfig({ NG_ENV: 'production', DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r' }),
      /SIGNING_JWKS is required in production/,
    );
  });
});
