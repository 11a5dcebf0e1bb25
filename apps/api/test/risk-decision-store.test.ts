import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshKey, fundedCustomer } from './fixtures.ts';
import { buildTestApp, testDatabaseKinds } from './helper.ts';

/**
 * Decisions are stored in groups (risk/decisions-repository.ts): concurrent checks share one INSERT.
 * Within a group, duplicates of one Idempotency-Key become one row and every duplicate answers with
 * it; checks without a key each get their own row; distinct keys their own.
 */
describe('storing fraud decisions in groups', () => {
  for (const database of testDatabaseKinds)
    it(`stores one row per key however many checks of it arrive together (${database})`, async (t) => {
      const testApp = await buildTestApp(t, { env: { RISK_SCORING: 'true' }, database });
      const risk = testApp.services.risk;
      assert.ok(risk);
      const payer = await fundedCustomer(testApp, 100_00n, 'Group Payer');
      const payee = await fundedCustomer(testApp, 0n, 'Group Payee');
      const command = (idempotencyKey: string | undefined) => ({
        customerId: payer.customerId,
        fromAccountId: payer.account.id,
        toAccountId: payee.account.id,
        toIban: payee.account.iban,
        toOwnAccount: false,
        amountMinor: 10_00n,
        currency: 'EUR' as const,
        at: new Date(),
        deviceKeyThumbprint: undefined,
        idempotencyKey,
      });
      const shared = freshKey();
      const others = [freshKey(), freshKey()];
      const answers = await Promise.all([
        ...Array.from({ length: 6 }, () => risk.check(command(shared))),
        ...others.map((key) => risk.check(command(key))),
        risk.check(command(undefined)),
        risk.check(command(undefined)),
      ]);
      const sharedIds = new Set(answers.slice(0, 6).map((a) => a.decisionId));
      assert.equal(sharedIds.size, 1, 'every duplicate answers with the one stored decision');
      const ids = new Set(answers.map((a) => a.decisionId));
      assert.equal(ids.size, 1 + others.length + 2);
      const { rows } = await testApp.deps.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM fraud_decisions WHERE customer_id = $1',
        [payer.customerId],
      );
      assert.equal(rows[0]?.n, 5);
      const again = await risk.check(command(shared));
      assert.equal(again.decisionId, [...sharedIds][0], 'a later retry gets the same decision');
    });
});
