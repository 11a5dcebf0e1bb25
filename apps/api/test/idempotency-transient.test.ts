import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { DependencyUnavailable } from '../src/platform/errors.ts';
import { storeResponse } from '../src/platform/idempotency.ts';
import { createCustomer, freshKey, openAccount } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Issue 12, defect 0: only a definite answer (status < 500) may be stored under an Idempotency-Key.
 * A transient failure (the database restarting, a lock or statement timeout) answers 503 with
 * Retry-After and leaves the key free, so the documented "retry with the same key" posts.
 */
// The test holds a lock past the statement deadline, so it runs with the production deadlines.
const noStepUp = { env: { STEP_UP_NEW_PAYEE: 'false', STEP_UP_THRESHOLD: '1000000000.00' }, productionDeadlines: true };

const today = () => new Date().toISOString().slice(0, 10);

async function payerAndPayee(testApp: TestApp) {
  const { db } = testApp.deps;
  const payerId = await createCustomer(db, 'Paula Payer');
  const account = await openAccount(testApp, payerId, { fundMinor: 1_000_00n });
  const payee = await openAccount(testApp, await createCustomer(db, 'Pete Payee'));
  return { payerId, account, payee };
}

/** A second connection holding the payer's daily-totals row (committed first) locked until released. */
async function holdDailyTotalsLock(testApp: TestApp, customerId: string) {
  const client = new pg.Client({ connectionString: testApp.config.databaseUrl });
  // The test database is dropped after the test, which ends this session: not an error here.
  client.on('error', () => {});
  await client.connect();
  await client.query(
    `INSERT INTO outgoing_daily_totals (customer_id, currency, day, reserved_minor) VALUES ($1, 'EUR', $2::date, 0)
     ON CONFLICT DO NOTHING`,
    [customerId, today()],
  );
  await client.query('BEGIN');
  await client.query(
    "SELECT 1 FROM outgoing_daily_totals WHERE customer_id = $1 AND currency = 'EUR' AND day = $2::date FOR UPDATE",
    [customerId, today()],
  );
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

async function storedKeys(testApp: TestApp, key: string): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM idempotency_keys WHERE key = $1',
    [key],
  );
  return rows[0]?.count ?? 0;
}

describe('a transient failure leaves the Idempotency-Key free', () => {
  it('answers 503 with Retry-After while the daily-totals row is locked past the deadline, then 201 on retry', async (t) => {
    const testApp = await buildTestApp(t, noStepUp);
    const { payerId, account, payee } = await payerAndPayee(testApp);
    const lock = await holdDailyTotalsLock(testApp, payerId);
    const key = freshKey();
    const request = {
      method: 'POST' as const,
      url: '/api/v1/transfers',
      headers: { 'idempotency-key': key },
      payload: { fromAccountId: account.id, to: { iban: payee.iban }, amount: { amount: '12.34', currency: 'EUR' } },
    };
    // The reservation waits on the row lock until its statement deadline (dbStatementTimeoutMs).
    const unavailable = await testApp.injectAs(payerId, request).finally(() => lock.release());
    assert.equal(unavailable.statusCode, 503, unavailable.body);
    assert.match(String(unavailable.headers['content-type']), /^application\/problem\+json/);
    assert.equal(unavailable.json().code, 'service_unavailable');
    assert.ok(unavailable.headers['retry-after'], 'a 503 tells the client when to retry');
    assert.equal(unavailable.headers['idempotent-replayed'], undefined);
    assert.equal(await storedKeys(testApp, key), 0, 'a transient failure is not stored under the key');

    const retried = await testApp.injectAs(payerId, request);
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(retried.headers['idempotent-replayed'], undefined);
    assert.equal(retried.json().amount.amount, '12.34');
    const replayed = await testApp.injectAs(payerId, request);
    assert.equal(replayed.statusCode, 201);
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.json().id, retried.json().id);
    // Reserved in the posting's own statement (migration 0061): once, for the one payment that posted.
    const { rows } = await testApp.deps.db.query<{ reserved_minor: bigint }>(
      "SELECT reserved_minor FROM outgoing_daily_totals WHERE customer_id = $1 AND currency = 'EUR' AND day = $2::date",
      [payerId, today()],
    );
    assert.equal(rows[0]?.reserved_minor, 12_34n);
  });

  it('never stores an answer of 500 or more, and the database refuses one too', async (t) => {
    const testApp = await buildTestApp(t);
    const { db } = testApp.deps;
    const idempotency = { scope: 'customer:cus_test', key: freshKey(), requestHash: 'h' };
    await assert.rejects(storeResponse(db, idempotency, { status: 503, body: { code: 'service_unavailable' } }));
    await assert.rejects(
      db.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
         VALUES ('customer:cus_test', $1, 'h', 503, '{}'::jsonb)`,
        [idempotency.key],
      ),
      (error: { code?: string }) => error.code === '23514',
    );
    assert.equal(await storedKeys(testApp, idempotency.key), 0);
    assert.equal(await storeResponse(db, idempotency, { status: 422, body: { code: 'limit_exceeded' } }), true);
  });

  it('answers a lock timeout (SQLSTATE 55P03) as the database being unavailable, not as a 500', async (t) => {
    const testApp = await buildTestApp(t);
    const { db } = testApp.deps;
    const customerId = await createCustomer(db);
    const lock = await holdDailyTotalsLock(testApp, customerId);
    try {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query("SET LOCAL lock_timeout = '50ms'");
          await tx.query('SELECT 1 FROM outgoing_daily_totals WHERE customer_id = $1 FOR UPDATE', [customerId]);
        }),
        (error: unknown) => error instanceof DependencyUnavailable && error.status === 503,
      );
    } finally {
      await lock.release();
    }
  });
});
