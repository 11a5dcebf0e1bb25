import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkLedgerInvariants } from '@nextgen/testkit';
import fc from 'fast-check';
import { createServices } from '../src/app.ts';
import type { TransferInput } from '../src/payments/service.ts';
import { createMemoryCache } from '../src/platform/cache.ts';
import { loadConfig } from '../src/platform/config.ts';
import { type Database, openPglite } from '../src/platform/database.ts';
import { requestHash } from '../src/platform/idempotency.ts';
import { loadKeyMaterial } from '../src/platform/keys.ts';
import { migrate } from '../src/platform/migrations.ts';
import { type Currency, currencyExponents, formatAmount } from '../src/platform/money.ts';
import { createCustomer, freshKey, fundedCustomer, openAccount } from './fixtures.ts';
import { buildTestApp } from './helper.ts';

/**
 * The one-statement batch (migration 0025, docs/adr/0023): the database fills in what only the
 * posting knows (times, balances) exactly as the API would render it, a key taken by another
 * request mid-batch costs the other movements nothing, and the same SQL runs on PGlite.
 */
function keyFor(customerId: string, input: TransferInput) {
  const body = {
    fromAccountId: input.fromAccountId,
    to: input.to,
    amount: { amount: formatAmount(input.amountMinor, input.currency), currency: input.currency },
    reference: input.reference,
  };
  return {
    scope: `customer:${customerId}`,
    key: freshKey(),
    requestHash: requestHash('POST', '/api/v1/transfers', body),
  };
}

/** Waits until a payments_post statement waits on a lock (here: an idempotency key another transaction holds). */
async function untilBatchWaitsOnLock(db: Database) {
  for (let tries = 0; tries < 500; tries += 1) {
    const { rows } = await db.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%payments_post%'`,
    );
    if ((rows[0]?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the batch never waited on the held key');
}

describe('payments_post (one statement per batch)', () => {
  it('formats amounts and times in the database exactly as the API does', async (t) => {
    const { deps } = await buildTestApp(t);
    const exponents = [...new Set(Object.values(currencyExponents))];
    const currencyWith = (exponent: number) =>
      Object.keys(currencyExponents).find((c) => currencyExponents[c as Currency] === exponent) as Currency;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.bigInt({ min: -1000n, max: 1000n })),
        fc.constantFrom(...exponents),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
        async (amountMinor, exponent, at) => {
          const { rows } = await deps.db.query<{ amount: string; at: string }>(
            'SELECT payments_format_amount($1, $2) AS amount, payments_iso_time($3::timestamptz) AS at',
            [amountMinor, exponent, at.toISOString()],
          );
          assert.equal(rows[0]?.amount, formatAmount(amountMinor, currencyWith(exponent)));
          assert.equal(rows[0]?.at, at.toISOString());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers a key another request stored mid-batch with that answer, and still posts the rest of the batch', async (t) => {
    const testApp = await buildTestApp(t);
    const { services, deps } = testApp;
    const { customerId, account } = await fundedCustomer(testApp, 1_000_00n);
    const savings = await openAccount(testApp, customerId, { type: 'savings' });
    const input = (amountMinor: bigint): TransferInput => ({
      fromAccountId: account.id,
      to: { accountId: savings.id },
      amountMinor,
      currency: 'EUR',
      reference: `Transfer of ${amountMinor}`,
    });
    const [first, second, contested] = [1_00n, 2_00n, 4_00n].map((amountMinor) => {
      const transfer = input(amountMinor);
      return { transfer, key: keyFor(customerId, transfer) };
    });
    assert.ok(first && second && contested);
    const theirAnswer = { id: 'trf_answered_by_another_request' };

    // Another process holds the contested key, uncommitted, while this one posts a batch that has it.
    const { answers } = await deps.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
         VALUES ($1, $2, $3, 201, $4::jsonb)`,
        [contested.key.scope, contested.key.key, contested.key.requestHash, JSON.stringify(theirAnswer)],
      );
      const posting = Promise.all(
        [first, second, contested].map((m) => services.payments.createTransfer(customerId, m.transfer, m.key)),
      );
      await untilBatchWaitsOnLock(deps.db);
      return { answers: posting }; // not awaited: the batch waits for this transaction to commit
    });

    const [firstAnswer, secondAnswer, contestedAnswer] = await answers;
    assert.equal(firstAnswer?.response.status, 201);
    assert.equal(secondAnswer?.response.status, 201);
    assert.deepEqual(contestedAnswer, { response: { status: 201, body: theirAnswer }, replayed: true });
    const balance = await services.accounts.getAccount(customerId, savings.id);
    assert.equal(balance.balance.amount, '3.00', 'the first two transfers posted, the contested one did not');
    const { rows } = await deps.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM transfers WHERE customer_id = $1',
      [customerId],
    );
    assert.equal(rows[0]?.count, 2);
    assert.deepEqual(await checkLedgerInvariants(deps.db), []);
  });

  it('posts, replays and refuses transfers and credits on the embedded PGlite', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ng-payments-'));
    const config = loadConfig({ NG_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, SEED_DEMO_DATA: 'false' });
    const db = await openPglite(path.join(dir, 'pglite'));
    try {
      await migrate(db);
      const services = createServices({ config, db, cache: createMemoryCache(), keys: await loadKeyMaterial(config) });
      const customerId = await createCustomer(db, 'Pia Glite');
      const kwd = await services.accounts.openAccount(customerId, { type: 'checking', currency: 'KWD' });
      const savings = await services.accounts.openAccount(customerId, { type: 'savings', currency: 'KWD' });
      const creditKey = { scope: 'operator:test', key: freshKey(), requestHash: 'credit-hash' };
      const credited = await services.payments.creditAccount(
        { accountId: kwd.id, amountMinor: 12_345n, currency: 'KWD', description: 'Opening deposit' },
        creditKey,
      );
      assert.equal(credited.response.status, 201);
      assert.deepEqual(credited.response.body.balanceAfter, { amount: '12.345', currency: 'KWD' });
      const transfer: TransferInput = {
        fromAccountId: kwd.id,
        to: { iban: savings.iban },
        amountMinor: 2_000n,
        currency: 'KWD',
        reference: 'Savings',
      };
      const key = keyFor(customerId, transfer);
      const posted = await services.payments.createTransfer(customerId, transfer, key);
      assert.equal(posted.response.status, 201);
      assert.equal(posted.replayed, false);
      assert.equal(posted.response.body.createdAt, posted.response.body.postedAt);
      const replayed = await services.payments.createTransfer(customerId, transfer, key);
      assert.deepEqual(replayed, { response: posted.response, replayed: true });
      assert.deepEqual(
        await services.payments.getTransfer(customerId, String(posted.response.body.id)),
        posted.response.body,
      );

      const tooMuch = { ...transfer, amountMinor: 1_000_000n };
      const refused = await services.payments.createTransfer(customerId, tooMuch, keyFor(customerId, tooMuch));
      assert.equal(refused.response.status, 422);
      assert.equal(refused.response.body.code, 'insufficient_funds');
      const { rows } = await db.query<{ balance_after_minor: bigint; direction: string }>(
        'SELECT balance_after_minor, direction FROM account_transactions WHERE account_id = $1 ORDER BY created_at, id',
        [kwd.id],
      );
      assert.deepEqual(
        rows.map((r) => [r.direction, r.balance_after_minor]),
        [
          ['credit', 12_345n],
          ['debit', 10_345n],
        ],
      );
      assert.deepEqual(await checkLedgerInvariants(db), []);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
