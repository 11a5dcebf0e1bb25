import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshKey, fundedCustomer } from './fixtures.ts';
import { buildTestApp } from './helper.ts';
import { signedInOperator } from './operators.ts';

/**
 * Issue 12, defect 2: on the embedded default (PGlite, one connection) an approval ran its executor
 * inside the approval's transaction while the executor used the pool, so both waited on each other
 * forever and every later database request hung. Each step here has a bound, so a wedged server
 * fails the test instead of hanging it.
 */
const answerBoundMs = 60_000;

async function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${answerBoundMs} ms (wedged)`)),
      answerBoundMs,
    );
  });
  try {
    return await Promise.race([work, bound]);
  } finally {
    clearTimeout(timer);
  }
}

describe('four-eyes approvals on the embedded PGlite', () => {
  it('execute an approved credit and keep serving requests afterwards', async (t) => {
    const testApp = await buildTestApp(t, { database: 'pglite' });
    assert.equal(testApp.deps.db.kind, 'pglite');
    const { customerId, account } = await fundedCustomer(testApp);
    const requester = await signedInOperator(testApp, ['payments'], 'Requester');
    const approver = await signedInOperator(testApp, ['approver'], 'Approver');
    const inject = (operator: typeof requester, method: 'GET' | 'POST', url: string, payload?: object) =>
      within(
        testApp.app.inject({
          method,
          url: `/backoffice/v1${url}`,
          headers: { authorization: operator.authorization, 'idempotency-key': freshKey() },
          ...(payload ? { payload } : {}),
        }),
        `${method} ${url}`,
      );
    const requested = await inject(requester, 'POST', '/credits', {
      accountId: account.id,
      amount: { amount: '250.00', currency: 'EUR' },
      description: 'Goodwill refund',
    });
    assert.equal(requested.statusCode, 202, requested.body);
    const approved = await inject(approver, 'POST', `/approvals/${requested.json().id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().status, 'executed');
    const ready = await within(testApp.app.inject({ method: 'GET', url: '/readyz' }), 'GET /readyz');
    assert.equal(ready.statusCode, 200, ready.body);
    const account2 = await within(testApp.services.accounts.getAccount(customerId, account.id), 'reading the account');
    assert.equal(account2.balance.amount, '350.00');
    assert.equal((await inject(approver, 'GET', '/approvals')).statusCode, 200);
  });

  it('fail loudly, instead of wedging, when work inside a transaction bypasses its handle', async (t) => {
    const testApp = await buildTestApp(t, { database: 'pglite' });
    const { db } = testApp.deps;
    await assert.rejects(
      within(
        db.transaction(async () => db.query('SELECT 1')),
        'a query on the database inside a transaction',
      ),
      /must use the transaction handle/,
    );
    await assert.rejects(
      within(
        db.transaction(async () => db.transaction(async (tx) => tx.query('SELECT 1'))),
        'a transaction inside a transaction',
      ),
      /must use the transaction handle/,
    );
    const ready = await within(testApp.app.inject({ method: 'GET', url: '/readyz' }), 'GET /readyz');
    assert.equal(ready.statusCode, 200, ready.body);
  });
});
