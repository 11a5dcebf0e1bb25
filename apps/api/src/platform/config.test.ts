import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

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
  });

  it('refuses to run production without its secrets and services', () => {
    assert.throws(() => loadConfig({ NG_ENV: 'production' }), /DATABASE_URL is required in production/);
    assert.throws(
      () => loadConfig({ NG_ENV: 'production', DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r' }),
      /SIGNING_JWKS is required in production/,
    );
  });
});
