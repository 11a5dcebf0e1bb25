import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/platform/config.ts';
import { buildTestApp } from './helper.ts';

/** The association files for passkeys and app links (platform/app-links.ts), built from settings. */
const fingerprint = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join(':');

describe('/.well-known association files', () => {
  it('serve the iOS apps and the Android app named in the settings', async (t) => {
    const { app } = await buildTestApp(t, {
      env: {
        IOS_APP_IDS: 'ABCDE12345.org.nextgen.bank, ABCDE12345.org.nextgen.bank.preview',
        ANDROID_APP_PACKAGE: 'org.nextgen.bank',
        ANDROID_CERT_SHA256: fingerprint,
      },
    });
    const apple = await app.inject({ url: '/.well-known/apple-app-site-association' });
    assert.equal(apple.statusCode, 200);
    assert.equal(apple.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(apple.headers['cache-control'], 'public, max-age=3600');
    const ids = ['ABCDE12345.org.nextgen.bank', 'ABCDE12345.org.nextgen.bank.preview'];
    const association = apple.json();
    assert.deepEqual(association.webcredentials, { apps: ids });
    assert.deepEqual(association.applinks.details[0].appIDs, ids);
    assert.deepEqual(association.applinks.details[0].components.at(-1), { '/': '/*' });
    assert.ok(
      association.applinks.details[0].components.some(
        (c: { '/': string; exclude?: boolean }) => c['/'] === '/oidc/*' && c.exclude,
      ),
      'sign-in pages stay in the browser',
    );

    const android = await app.inject({ url: '/.well-known/assetlinks.json' });
    assert.equal(android.statusCode, 200);
    assert.equal(android.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(android.json(), [
      {
        relation: ['delegate_permission/common.handle_all_urls', 'delegate_permission/common.get_login_creds'],
        target: {
          namespace: 'android_app',
          package_name: 'org.nextgen.bank',
          sha256_cert_fingerprints: [fingerprint.toUpperCase()],
        },
      },
    ]);
  });

  it('answer 404 when their settings are absent', async (t) => {
    const { app } = await buildTestApp(t);
    for (const url of ['/.well-known/apple-app-site-association', '/.well-known/assetlinks.json']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().code, 'route_not_found');
    }
  });

  it('refuse malformed settings at start, naming the setting', () => {
    assert.throws(() => loadConfig({ IOS_APP_IDS: 'org.nextgen.bank' }), /IOS_APP_IDS/);
    assert.throws(
      () => loadConfig({ ANDROID_APP_PACKAGE: 'bank', ANDROID_CERT_SHA256: fingerprint }),
      /ANDROID_APP_PACKAGE/,
    );
    assert.throws(
      () => loadConfig({ ANDROID_APP_PACKAGE: 'org.nextgen.bank', ANDROID_CERT_SHA256: 'AB:CD' }),
      /ANDROID_CERT_SHA256/,
    );
    assert.throws(() => loadConfig({ ANDROID_APP_PACKAGE: 'org.nextgen.bank' }), /ANDROID_CERT_SHA256/);
  });
});
