import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp } from './helper.ts';

describe('platform HTTP behaviour', () => {
  it('answers liveness and readiness', async (t) => {
    const { app } = await buildTestApp(t);
    assert.deepEqual((await app.inject({ url: '/healthz' })).json(), { status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });

  it('answers an unknown route with a problem+json 404', async (t) => {
    const { app } = await buildTestApp(t);
    const response = await app.inject({ url: '/api/v1/nothing-here?email=someone@example.com' });
    assert.equal(response.statusCode, 404);
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
    const body = response.json();
    assert.equal(body.code, 'route_not_found');
    assert.equal(body.status, 404);
    assert.equal(body.type, '/problems/route_not_found');
    assert.equal(body.traceId, response.headers['x-request-id']);
    assert.doesNotMatch(JSON.stringify(body), /someone@example\.com/);
  });

  describe('request bodies', () => {
    const withEchoRoute = async (t: Parameters<typeof buildTestApp>[0]) => {
      const { app } = await buildTestApp(t);
      app.post(
        '/test/echo',
        {
          schema: {
            body: {
              type: 'object',
              additionalProperties: false,
              required: ['amount'],
              properties: { amount: { type: 'string' }, nested: { type: 'object' } },
            },
          },
        },
        async (request) => request.body,
      );
      return app;
    };

    it('rejects malformed JSON with 400 malformed_json', async (t) => {
      const app = await withEchoRoute(t);
      const response = await app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json' },
        payload: '{"amount": "1.00",',
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'malformed_json');
    });

    it('rejects a body that is not JSON with 415', async (t) => {
      const app = await withEchoRoute(t);
      const response = await app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'text/plain' },
        payload: 'amount=1.00',
      });
      assert.equal(response.statusCode, 415);
      assert.equal(response.json().code, 'unsupported_media_type');
    });

    it('rejects a body over the size limit with 413', async (t) => {
      const app = await withEchoRoute(t);
      const response = await app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ amount: 'x'.repeat(70_000) }),
      });
      assert.equal(response.statusCode, 413);
      assert.equal(response.json().code, 'body_too_large');
    });

    it('rejects JSON nested too deep before parsing it', async (t) => {
      const app = await withEchoRoute(t);
      const payload = `{"amount":"1","nested":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`;
      const response = await app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'json_too_deep');
    });

    it('lists every field problem with a JSON pointer and never coerces body types', async (t) => {
      const app = await withEchoRoute(t);
      const response = await app.inject({ method: 'POST', url: '/test/echo', payload: { amount: 12, extra: true } });
      assert.equal(response.statusCode, 400);
      const body = response.json();
      assert.equal(body.code, 'validation_failed');
      const pointers = body.errors.map((e: { pointer: string }) => e.pointer).sort();
      assert.deepEqual(pointers, ['/body/amount', '/body/extra']);
    });
  });

  it('publishes an OpenAPI 3.1 document and interactive docs', async (t) => {
    const { app } = await buildTestApp(t);
    const doc = await app.inject({ url: '/openapi.json' });
    assert.equal(doc.statusCode, 200);
    assert.equal(doc.json().openapi, '3.1.0');
    assert.ok(doc.json().paths['/healthz']);
    const docs = await app.inject({ url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });

  it('keeps the caller request id or W3C trace id', async (t) => {
    const { app } = await buildTestApp(t);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traced = await app.inject({ url: '/healthz', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    assert.equal(traced.headers['x-request-id'], traceId);
    const given = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'req-12345678' } });
    assert.equal(given.headers['x-request-id'], 'req-12345678');
  });

  it('limits each caller per minute with 429, Retry-After and RateLimit headers', async (t) => {
    const { app } = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '3' } });
    const statuses: number[] = [];
    let last = await app.inject({ url: '/openapi.json' });
    statuses.push(last.statusCode);
    assert.equal(last.headers['ratelimit-limit'], '3');
    assert.equal(last.headers['ratelimit-remaining'], '2');
    for (let i = 0; i < 3; i += 1) {
      last = await app.inject({ url: '/openapi.json' });
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(last.json().code, 'rate_limited');
    assert.ok(Number(last.headers['retry-after']) >= 1);
    assert.match(String(last.headers.ratelimit), /^"default";r=0;t=\d+$/);
    // Another caller (another IP) has its own budget.
    const other = await app.inject({ url: '/openapi.json', remoteAddress: '10.9.8.7' });
    assert.equal(other.statusCode, 200);
    // Health probes are never limited, so Kubernetes never restarts a busy pod.
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  });
});
