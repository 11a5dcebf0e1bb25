import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './helper.ts';

/** Polls `url` until it answers `status`, or fails after `timeoutMs`. */
async function eventually(app: FastifyInstance, url: string, status: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await app.inject({ url })).statusCode;
    if (last === status) return;
    await sleep(100);
  }
  assert.fail(`${url} still answered ${last}, not ${status}, after ${timeoutMs} ms`);
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const started = performance.now();
  const result = await work();
  return { result, elapsedMs: performance.now() - started };
}

describe('dependency faults', () => {
  it('answers 503 problem+json while PostgreSQL is away and recovers without a restart', async (t) => {
    const { app, faults } = await buildTestApp(t, { faults: true });
    assert.ok(faults);
    await eventually(app, '/readyz', 200);
    await faults.database.cut();
    const { result: down, elapsedMs } = await timed(() => app.inject({ url: '/readyz' }));
    assert.equal(down.statusCode, 503);
    assert.match(down.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(down.json().code, 'service_unavailable');
    assert.equal(down.headers['retry-after'], '2');
    assert.ok(elapsedMs < 5_000, `answered in ${elapsedMs} ms, not promptly`);
    // Liveness stays green: the process is fine, only a dependency is away.
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    await faults.database.restore();
    await eventually(app, '/readyz', 200);
  });

  it('answers 503 problem+json while Redis is away and recovers without a restart', async (t) => {
    const { app, faults } = await buildTestApp(t, { faults: true });
    assert.ok(faults);
    await eventually(app, '/openapi.json', 200);
    await faults.cache.cut();
    const { result: down, elapsedMs } = await timed(() => app.inject({ url: '/openapi.json' }));
    assert.equal(down.statusCode, 503);
    assert.equal(down.json().code, 'service_unavailable');
    assert.ok(elapsedMs < 5_000, `answered in ${elapsedMs} ms, not promptly`);
    await faults.cache.restore();
    await eventually(app, '/openapi.json', 200);
    await eventually(app, '/readyz', 200);
  });
});
