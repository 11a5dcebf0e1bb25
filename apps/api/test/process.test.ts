import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, repositoryRoot, startApiProcess, testRedisUrl } from '@nextgen/testkit';

describe('the API process', () => {
  it('stops with one clear line naming a bad setting', () => {
    const result = spawnSync(process.execPath, [path.join(repositoryRoot, 'apps/api/src/main.ts')], {
      env: { PATH: process.env.PATH ?? '', RATE_LIMIT_PER_MINUTE: 'lots' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 78);
    assert.equal(result.stderr, 'configuration: RATE_LIMIT_PER_MINUTE must be a whole number, got "lots"\n');
  });

  it('stops with one clear line when a setting is refused while building services', async (t) => {
    const database = await createTestDatabase();
    t.after(() => database.drop());
    const result = spawnSync(process.execPath, [path.join(repositoryRoot, 'apps/api/src/main.ts')], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, REDIS_URL: testRedisUrl, IBAN_COUNTRY: 'ZZ' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 78);
    assert.match(result.stderr, /^configuration: IBAN_COUNTRY [^\n]+\n$/);
  });

  it('finishes an in-flight request on SIGTERM, then exits cleanly', async (t) => {
    const database = await createTestDatabase();
    t.after(() => database.drop());
    const api = await startApiProcess({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl,
      CACHE_KEY_PREFIX: `ngt:${process.pid}:`,
    });
    t.after(() => api.stop('SIGKILL'));
    // A request whose body is still arriving when the signal comes is in flight.
    const socket = net.connect(api.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const body = '{"probe": true}';
    socket.write(
      `POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n{"pro`,
    );
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk.toString();
    });
    await sleep(200);
    api.child.kill('SIGTERM');
    await sleep(300);
    socket.end(body.slice(5));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    assert.match(response, /^HTTP\/1\.1 405/, 'the in-flight request got its answer (POST /healthz: 405)');
    assert.equal(await api.exited, 0);
    // New connections are refused once the server closed.
    await assert.rejects(fetch(`${api.baseUrl}/healthz`));
  });
});
