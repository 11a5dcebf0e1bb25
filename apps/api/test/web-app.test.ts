import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { apiContentSecurityPolicy } from '../src/platform/http-security.ts';
import { isAppRoute } from '../src/platform/web-app.ts';
import { buildTestApp } from './helper.ts';

/** The web app served at `/` (platform/web-app.ts) from a small build shaped like `expo export -p web`. */
const inlineStyle = '\n      html, body { height: 100%; }\n    ';
const indexHtml = `<!DOCTYPE html><html><head><title>NextGen</title><style id="expo-reset">${inlineStyle}</style></head><body><div id="root"></div><script src="/_expo/static/js/web/entry-0123abcd.js" defer></script></body></html>`;
const bundle = `console.log("app");${' '.repeat(2000)}`;

function fixtureBuild(t: TestContext): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ng-web-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'web');
  mkdirSync(path.join(dir, '_expo/static/js/web'), { recursive: true });
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), indexHtml);
  writeFileSync(path.join(dir, '_expo/static/js/web/entry-0123abcd.js'), bundle);
  writeFileSync(path.join(dir, 'assets/icon.5f3c@2x.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(path.join(root, 'secret.txt'), 'outside the build');
  symlinkSync(path.join(root, 'secret.txt'), path.join(dir, 'linked-secret.txt'));
  return dir;
}

async function appWithBuild(t: TestContext) {
  return (await buildTestApp(t, { env: { WEB_APP_DIR: fixtureBuild(t) } })).app;
}

describe('the web app at /', () => {
  it('serves index.html with its own strict CSP carrying the inline style’s hash', async (t) => {
    const app = await appWithBuild(t);
    const response = await app.inject({ url: '/' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(response.body, indexHtml);
    const csp = String(response.headers['content-security-policy']);
    const styleHash = createHash('sha256').update(inlineStyle).digest('base64');
    assert.match(csp, /(^|; )default-src 'none'(;|$)/);
    assert.match(csp, /(^|; )script-src 'self'(;|$)/);
    const styleSrc = csp.split('; ').find((d) => d.startsWith('style-src ')) ?? '';
    assert.ok(styleSrc.split(' ').includes(`'sha256-${styleHash}'`), styleSrc);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers['cache-control'], 'no-cache');
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });

  it('caches hashed files for a year and compresses them for clients that accept gzip', async (t) => {
    const app = await appWithBuild(t);
    const plain = await app.inject({ url: '/_expo/static/js/web/entry-0123abcd.js' });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.body, bundle);
    const zipped = await app.inject({
      url: '/_expo/static/js/web/entry-0123abcd.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'accept-encoding');
    assert.equal(gunzipSync(zipped.rawPayload).toString(), bundle);
    const image = await app.inject({ url: '/assets/icon.5f3c@2x.png' });
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.equal(image.headers['cache-control'], 'public, max-age=31536000, immutable');
    const head = await app.inject({ method: 'HEAD', url: '/' });
    assert.equal(head.statusCode, 200);
  });

  it('answers index.html for app routes, so deep links load the app', async (t) => {
    const app = await appWithBuild(t);
    for (const url of ['/settings', '/settings/about', '/settings/about?tab=1']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.body, indexHtml, url);
      assert.match(String(response.headers['content-security-policy']), /script-src 'self'/, url);
      assert.equal(response.headers['cache-control'], 'no-store', url);
    }
  });

  it('keeps the API’s answers, headers and 404s as they were', async (t) => {
    const app = await appWithBuild(t);
    const api = await app.inject({ url: '/api/v1/accounts' });
    assert.equal(api.statusCode, 401);
    assert.equal(api.headers['content-security-policy'], apiContentSecurityPolicy);
    assert.equal(api.headers['cache-control'], 'no-store');
    for (const url of ['/api/v1/nope', '/backoffice/v1/nope', '/oidc-nope', '/.well-known/nope']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', url);
      assert.equal(response.headers['content-security-policy'], apiContentSecurityPolicy, url);
    }
    const post = await app.inject({ method: 'POST', url: '/settings', payload: {} });
    assert.equal(post.statusCode, 404);
    assert.equal(post.json().code, 'route_not_found');
    const health = await app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 200);
  });

  it('refuses path traversal, symbolic links out of the build, missing files and folder listings', async (t) => {
    const app = await appWithBuild(t);
    for (const url of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/_expo/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/linked-secret.txt',
      '/_expo/static/js/web/',
      '/assets/',
      '/assets/missing.png',
      '/favicon.ico',
      '/..%5csecret.txt',
    ]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.doesNotMatch(response.body, /outside the build|<html/, url);
    }
  });

  it('is absent when there is no build: the API starts and / is its 404', async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ng-web-empty-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { app } = await buildTestApp(t, { env: { WEB_APP_DIR: dir } });
    const response = await app.inject({ url: '/' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'route_not_found');
    assert.equal(response.headers['content-security-policy'], apiContentSecurityPolicy);
  });
});

describe('app routes', () => {
  it('are extensionless paths outside the API', () => {
    assert.equal(isAppRoute('/settings/about'), true);
    assert.equal(isAppRoute('/'), true);
    assert.equal(isAppRoute('/api/v1/accounts'), false);
    assert.equal(isAppRoute('/docs'), false);
    assert.equal(isAppRoute('/a/../b'), false);
    assert.equal(isAppRoute('/style.css'), false);
  });
});
