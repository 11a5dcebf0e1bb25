import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '../src/platform/config.ts';
import { headerSizeMaxBytes, hstsMaxAgeS } from '../src/platform/constants.ts';
import { apiContentSecurityPolicy, sendsHsts, serverOptions } from '../src/platform/http-security.ts';
import { buildTestApp } from './helper.ts';

/** TLS, security headers, CORS allowlist and the request-head limit (platform/http-security.ts). */
const allowedOrigin = 'https://app.nextgen.example';

/** A throw-away self-signed P-256 certificate for localhost, made with the openssl CLI. */
function selfSignedCertificate(t: TestContext) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ng-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' }); // biome-ignore format: one argument per flag reads as the command line
  return { certFile, keyFile, cert: readFileSync(certFile) };
}

function get(
  client: typeof http | typeof https,
  url: string,
  options: https.RequestOptions = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = client.get(url, options, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
  });
}

describe('HTTP security', () => {
  it('sends the security headers and a strict CSP on API answers, and no HSTS over plain HTTP', async (t) => {
    const { app } = await buildTestApp(t);
    const response = await app.inject({ url: '/api/v1/accounts' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(response.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(response.headers['content-security-policy'], apiContentSecurityPolicy);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['strict-transport-security'], undefined);
    assert.equal(response.headers['x-powered-by'], undefined);
  });

  it('leaves the interactive docs their own content security policy', async (t) => {
    const { app } = await buildTestApp(t);
    const docs = await app.inject({ url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    const policy = String(docs.headers['content-security-policy']);
    assert.notEqual(policy, apiContentSecurityPolicy);
    assert.match(policy, /'self'/);
  });

  it('answers CORS preflights for allowed origins only; other origins get no CORS headers', async (t) => {
    const { app } = await buildTestApp(t, { env: { CORS_ALLOWED_ORIGINS: `${allowedOrigin},http://localhost:8081` } });
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/api/v1/transfers',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, dpop, idempotency-key, content-type',
        },
      });
    const allowed = await preflight(allowedOrigin);
    assert.equal(allowed.statusCode, 204);
    assert.equal(allowed.headers['access-control-allow-origin'], allowedOrigin);
    assert.match(String(allowed.headers['access-control-allow-methods']), /POST/);
    for (const header of ['authorization', 'dpop', 'idempotency-key', 'content-type'])
      assert.match(String(allowed.headers['access-control-allow-headers']), new RegExp(header));
    assert.equal(allowed.headers['access-control-allow-credentials'], undefined, 'bearer tokens, no cookies');
    assert.match(String(allowed.headers.vary), /origin/i);

    const stranger = await preflight('https://evil.example');
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);
    assert.equal(stranger.headers['access-control-allow-headers'], undefined);

    const simple = await app.inject({ url: '/healthz', headers: { origin: allowedOrigin } });
    assert.equal(simple.headers['access-control-allow-origin'], allowedOrigin);
    assert.match(String(simple.headers['access-control-expose-headers']), /idempotent-replayed/);
    const strangers = await app.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
    assert.equal(strangers.headers['access-control-allow-origin'], undefined);
  });

  it('refuses a CORS allowlist entry that is not an exact origin', () => {
    for (const entry of ['https://*.example.com', 'https://app.example.com/path', '*'])
      assert.throws(() => loadConfig({ NG_ENV: 'test', CORS_ALLOWED_ORIGINS: entry }), /CORS_ALLOWED_ORIGINS/);
  });

  it('serves TLS with the configured certificate and sends HSTS', async (t) => {
    const { certFile, keyFile, cert } = selfSignedCertificate(t);
    const { app } = await buildTestApp(t, { env: { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const answer = await get(https, `https://localhost:${port}/healthz`, { ca: cert });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['strict-transport-security'], `max-age=${hstsMaxAgeS}; includeSubDomains`);
    await assert.rejects(
      get(https, `https://localhost:${port}/healthz`, { ca: cert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }),
      'TLS 1.1 and older are refused',
    );
    await assert.rejects(get(http, `http://localhost:${port}/healthz`), 'no plain HTTP on the TLS port');
  });

  it('sends HSTS in production, where the load balancer terminates TLS', () => {
    const config = loadConfig({ NG_ENV: 'test' });
    assert.equal(sendsHsts(config), false);
    assert.equal(sendsHsts({ ...config, environment: 'production' }), true);
  });

  it('refuses to start when only one of the TLS files is given, or one cannot be read', () => {
    assert.throws(() => loadConfig({ NG_ENV: 'test', TLS_CERT_FILE: '/tmp/cert.pem' }), /TLS_KEY_FILE/);
    assert.throws(() => loadConfig({ NG_ENV: 'test', TLS_KEY_FILE: '/tmp/key.pem' }), /TLS_CERT_FILE/);
    const config = loadConfig({
      NG_ENV: 'test',
      TLS_CERT_FILE: '/nonexistent/c.pem',
      TLS_KEY_FILE: '/nonexistent/k.pem',
    });
    assert.throws(() => serverOptions(config), /TLS_CERT_FILE/);
  });

  it(`answers 431 to a request head larger than ${headerSizeMaxBytes / 1024} KiB`, async (t) => {
    const { app } = await buildTestApp(t);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const small = await get(http, `http://127.0.0.1:${port}/healthz`, { headers: { 'x-note': 'a'.repeat(1024) } });
    assert.equal(small.status, 200);
    const large = await get(http, `http://127.0.0.1:${port}/healthz`, {
      headers: { 'x-note': 'a'.repeat(headerSizeMaxBytes + 1) },
    });
    assert.equal(large.status, 431);
  });
});
