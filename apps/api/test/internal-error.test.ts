import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fundedCustomer } from './fixtures.ts';
import { buildTestApp } from './helper.ts';

describe('an unexpected failure', () => {
  it('answers GET /api/v1/transactions with a 500 problem+json that hides the internals and logs them', async (t) => {
    const logLines: string[] = [];
    const testApp = await buildTestApp(t, { env: { LOG_LEVEL: 'error' }, logLines });
    const { customerId } = await fundedCustomer(testApp);
    // Break the database under the running app, as a botched deployment would.
    await testApp.deps.db.query('ALTER TABLE account_transactions RENAME TO account_transactions_moved');
    const response = await testApp.injectAs(customerId, { url: '/api/v1/transactions' });
    assert.equal(response.statusCode, 500);
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
    const body = response.json();
    assert.equal(body.code, 'internal_error');
    assert.equal(body.traceId, response.headers['x-request-id']);
    assert.doesNotMatch(response.body, /account_transactions|relation|SELECT|stack/i);
    const logged = logLines.map((line) => JSON.parse(line) as { reqId?: string; err?: { message?: string } });
    assert.ok(
      logged.some((entry) => entry.reqId === body.traceId && /account_transactions/.test(entry.err?.message ?? '')),
      'the cause is logged with the request id for the operator',
    );
  });
});
