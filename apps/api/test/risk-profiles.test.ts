import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Queryable } from '../src/platform/database.ts';
import { freshKey, fundedCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp, testDatabaseKinds } from './helper.ts';
import { signedInOperator } from './operators.ts';
import { holdingEnv } from './risk-models.ts';

/**
 * risk_profiles (migration 0094, docs/adr/0133): each customer's all-time amount statistics, kept
 * as lines post, must equal what a scan of the customer's posted lines gives: counts, mean and m2
 * of ln(1 + amount / 100) per direction, the largest payment out. A held transfer counts once it is
 * approved, a rejected one never.
 */
interface Stats {
  out_count: number;
  out_mean: number;
  out_m2: number;
  in_count: number;
  in_mean: number;
  in_m2: number;
  max_out_minor: string;
}

const naive = `
  SELECT count(*) FILTER (WHERE direction = 'debit')::int AS out_count,
    coalesce(avg(x) FILTER (WHERE direction = 'debit'), 0) AS out_mean,
    coalesce(var_pop(x) FILTER (WHERE direction = 'debit') * count(*) FILTER (WHERE direction = 'debit'), 0) AS out_m2,
    count(*) FILTER (WHERE direction = 'credit')::int AS in_count,
    coalesce(avg(x) FILTER (WHERE direction = 'credit'), 0) AS in_mean,
    coalesce(var_pop(x) FILTER (WHERE direction = 'credit') * count(*) FILTER (WHERE direction = 'credit'), 0) AS in_m2,
    coalesce(max(amount_minor) FILTER (WHERE direction = 'debit'), 0)::text AS max_out_minor
  FROM (SELECT direction, amount_minor, ln(1 + amount_minor::float8 / 100) AS x FROM account_transactions
        WHERE customer_id = $1 AND status = 'posted') l`;

async function assertProfileMatches(db: Queryable, customerId: string) {
  const [expected] = (await db.query<Stats>(naive, [customerId])).rows;
  const [kept] = (
    await db.query<Stats>(
      `SELECT out_count::int, out_mean, out_m2, in_count::int, in_mean, in_m2, max_out_minor::text
       FROM risk_profiles WHERE customer_id = $1`,
      [customerId],
    )
  ).rows;
  assert.ok(expected && kept, `a profile for ${customerId}`);
  assert.equal(kept.out_count, expected.out_count);
  assert.equal(kept.in_count, expected.in_count);
  assert.equal(kept.max_out_minor, expected.max_out_minor);
  for (const field of ['out_mean', 'out_m2', 'in_mean', 'in_m2'] as const) {
    assert.ok(Math.abs(kept[field] - expected[field]) < 1e-9, `${field}: ${kept[field]} against ${expected[field]}`);
  }
  return kept;
}

function pay(testApp: TestApp, customerId: string, body: object) {
  return testApp.injectAs(customerId, {
    method: 'POST',
    url: '/api/v1/transfers',
    headers: { 'idempotency-key': freshKey() },
    payload: body,
  });
}

describe('risk profiles', () => {
  for (const database of testDatabaseKinds)
    it(`equal a scan of the posted lines through credits, purchases, transfers and reviews (${database})`, async (t) => {
      const testApp = await buildTestApp(t, { env: await holdingEnv(t), database });
      const { payments, accounts } = testApp.services;
      const payer = await fundedCustomer(testApp, 900_00n, 'Profile Payer');
      const payee = await fundedCustomer(testApp, 0n, 'Profile Payee');
      const savings = await accounts.openAccount(payer.customerId, { type: 'savings', currency: 'EUR' });
      for (const [i, amount] of [1_99n, 45_00n, 12_50n, 300_00n, 7_77n].entries()) {
        await payments.cardPurchase({
          accountId: payer.account.id,
          amountMinor: amount,
          currency: 'EUR',
          description: `Shop ${i}`,
        });
      }
      await payments.creditAccount({
        accountId: payer.account.id,
        amountMinor: 1_234_56n,
        currency: 'EUR',
        description: 'Salary',
      });
      // Own-account transfers post at once; payments to the other customer are held by this model.
      const own = await pay(testApp, payer.customerId, {
        fromAccountId: payer.account.id,
        to: { accountId: savings.id },
        amount: { amount: '50.00', currency: 'EUR' },
      });
      assert.equal(own.statusCode, 201, own.body);
      const before = await assertProfileMatches(testApp.deps.db, payer.customerId);
      const toPayee = { fromAccountId: payer.account.id, to: { iban: payee.account.iban } };
      const approvedHold = await pay(testApp, payer.customerId, {
        ...toPayee,
        amount: { amount: '250.00', currency: 'EUR' },
      });
      const rejectedHold = await pay(testApp, payer.customerId, {
        ...toPayee,
        amount: { amount: '20.00', currency: 'EUR' },
      });
      assert.equal(approvedHold.statusCode, 202, approvedHold.body);
      assert.equal(rejectedHold.statusCode, 202, rejectedHold.body);
      const held = await assertProfileMatches(testApp.deps.db, payer.customerId);
      assert.deepEqual(held, before, 'held payments are not in the history yet');

      const analyst = await signedInOperator(testApp, ['fraud'], 'Profile analyst');
      const review = (id: string, decision: 'approve' | 'reject') =>
        testApp.app.inject({
          method: 'POST',
          url: `/backoffice/v1/fraud-reviews/${id}/${decision}`,
          headers: { authorization: analyst.authorization },
          payload: {},
        });
      assert.equal((await review(approvedHold.json().id, 'approve')).statusCode, 200);
      assert.equal((await review(rejectedHold.json().id, 'reject')).statusCode, 200);
      const after = await assertProfileMatches(testApp.deps.db, payer.customerId);
      assert.equal(after.out_count, before.out_count + 1, 'the approved hold counts once, the rejected one never');
      assert.equal(after.max_out_minor, '30000', 'the largest is still the 300.00 card payment');
      await assertProfileMatches(testApp.deps.db, payee.customerId);
    });

  it('stays exact when many transfers post concurrently in batches', async (t) => {
    const testApp = await buildTestApp(t, {
      env: { STEP_UP_NEW_PAYEE: 'false', STEP_UP_CUMULATIVE: 'false', STEP_UP_THRESHOLD: '100000' },
    });
    const customers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => fundedCustomer(testApp, 5_000_00n, `Batch ${i}`)),
    );
    const sends = customers.flatMap((from, i) =>
      Array.from({ length: 15 }, (_, k) => {
        const to = customers[(i + 1 + (k % 5)) % customers.length];
        assert.ok(to);
        return pay(testApp, from.customerId, {
          fromAccountId: from.account.id,
          to: { iban: to.account.iban },
          amount: { amount: `${1 + ((i * 15 + k) % 37)}.${k % 10}5`, currency: 'EUR' },
        });
      }),
    );
    const answers = await Promise.all(sends);
    assert.ok(
      answers.every((a) => a.statusCode === 201),
      answers.map((a) => a.statusCode).join(),
    );
    for (const c of customers) await assertProfileMatches(testApp.deps.db, c.customerId);
  });
});
