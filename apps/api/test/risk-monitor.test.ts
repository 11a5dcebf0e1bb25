import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/platform/config.ts';
import { createSnapshotReader } from '../src/risk/features-repository.ts';
import { freshKey, fundedCustomer, productionWithKms } from './fixtures.ts';
import { buildTestApp, testDatabaseKinds } from './helper.ts';
import { holdingEnv } from './risk-models.ts';

/**
 * RISK_SCORING=monitor (docs/adr/0134): every transfer is scored and its decision stored as under
 * `true`, marked not enforced, and the transfer goes on as allowed. And the features of concurrent
 * checks are read in one statement for the group, each exactly as it would be read alone.
 */
const eur = (amount: string) => ({ amount, currency: 'EUR' });

describe('monitoring fraud decisions without acting on them', () => {
  for (const database of testDatabaseKinds)
    it(`records the model's hold and posts the payment (${database})`, async (t) => {
      const env = { ...(await holdingEnv(t)), RISK_SCORING: 'monitor' };
      const testApp = await buildTestApp(t, { env, database });
      const payer = await fundedCustomer(testApp, 500_00n, 'Monitored Payer');
      const payee = await fundedCustomer(testApp, 0n, 'Monitored Payee');
      const response = await testApp.injectAs(payer.customerId, {
        method: 'POST',
        url: '/api/v1/transfers',
        headers: { 'idempotency-key': freshKey() },
        payload: { fromAccountId: payer.account.id, to: { iban: payee.account.iban }, amount: eur('120.00') },
      });
      assert.equal(response.statusCode, 201, response.body);
      const body = response.json();
      assert.equal(body.status, 'posted');
      assert.equal(body.review, undefined, 'a monitored decision is never shown to the customer');

      const { rows } = await testApp.deps.db.query<{
        outcome: string;
        enforced: boolean;
        reasons: { feature: string }[];
        transfer_status: string;
      }>(
        `SELECT d.outcome, d.enforced, d.reasons, t.status AS transfer_status
         FROM fraud_decisions d JOIN transfers t ON t.risk_decision_id = d.id WHERE d.customer_id = $1`,
        [payer.customerId],
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.outcome, 'hold', 'the decision is stored as the model made it');
      assert.equal(rows[0]?.enforced, false);
      assert.equal(rows[0]?.transfer_status, 'posted');
      assert.ok(
        rows[0]?.reasons.some((r) => !r.feature.startsWith('rule:')),
        "a monitored hold is explained like an enforced one: the model's strongest features",
      );
      const balanceOf = async (customerId: string, accountId: string) => {
        const answer = await testApp.injectAs(customerId, { method: 'GET', url: `/api/v1/accounts/${accountId}` });
        assert.equal(answer.statusCode, 200, answer.body);
        return (answer.json() as { balance: { amount: string } }).balance.amount;
      };
      assert.equal(await balanceOf(payer.customerId, payer.account.id), '380.00');
      assert.equal(await balanceOf(payee.customerId, payee.account.id), '120.00');
      const held = await testApp.deps.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox_events WHERE topic = 'transfer.held'`,
      );
      assert.equal(held.rows[0]?.n, 0, 'nothing was held');
    });

  it('is refused in production, which always acts on its decisions', () => {
    const production = {
      ...productionWithKms,
      AUDIT_HEAD_STORE: 's3',
      AUDIT_HEAD_BUCKET: 'bank-audit-heads',
      AUDIT_HEAD_KMS_KEY_ID: 'alias/audit-heads',
    };
    assert.equal(loadConfig(production).riskEnforced, true);
    for (const value of ['monitor', 'false']) {
      assert.throws(
        () => loadConfig({ ...production, RISK_SCORING: value }),
        /RISK_SCORING must be true in production/,
      );
    }
    assert.throws(
      () => loadConfig({ NG_ENV: 'test', RISK_SCORING: 'sometimes' }),
      /RISK_SCORING must be true or false/,
    );
    const monitored = loadConfig({ NG_ENV: 'test', RISK_SCORING: 'monitor' });
    assert.equal(monitored.riskScoring, true);
    assert.equal(monitored.riskEnforced, false);
    const acting = loadConfig({ NG_ENV: 'test', RISK_SCORING: 'true' });
    assert.equal(acting.riskEnforced, true);
  });
});

describe('reading fraud features for a group of transfers', () => {
  for (const database of testDatabaseKinds)
    it(`gives each transfer of a group the snapshot it gets alone (${database})`, async (t) => {
      const testApp = await buildTestApp(t, { env: { RISK_SCORING: 'true' }, database });
      const { payments } = testApp.services;
      const customers = await Promise.all(
        ['Group One', 'Group Two', 'Group Three'].map((name) => fundedCustomer(testApp, 900_00n, name)),
      );
      const [one, two, three] = customers as [(typeof customers)[0], (typeof customers)[0], (typeof customers)[0]];
      // Different histories: one pays two twice, two pays three once, three has only its funding.
      const start = Date.now() - 3 * 60 * 60 * 1000;
      const pay = (from: typeof one, to: typeof one, minor: bigint, at: number) =>
        payments.postTransfer(from.customerId, {
          fromAccountId: from.account.id,
          to: { iban: to.account.iban },
          amountMinor: minor,
          currency: 'EUR',
          reference: 'Group history',
          at: new Date(at),
        });
      await pay(one, two, 40_00n, start);
      await pay(one, two, 55_00n, start + 60_000);
      await pay(two, three, 10_00n, start + 120_000);
      const at = new Date();
      const command = (from: typeof one, to: typeof one, minor: bigint) => ({
        customerId: from.customerId,
        fromAccountId: from.account.id,
        toAccountId: to.account.id,
        toIban: to.account.iban,
        toOwnAccount: false,
        amountMinor: minor,
        currency: 'EUR' as const,
        at,
        deviceKeyThumbprint: undefined,
        idempotencyKey: undefined,
      });
      const commands = [command(one, two, 70_00n), command(two, one, 5_00n), command(three, one, 300_00n)];
      const alone = [];
      for (const c of commands) alone.push(await createSnapshotReader(testApp.deps.db)(c));
      const read = createSnapshotReader(testApp.deps.db);
      const together = await Promise.all([...commands, ...commands].map((c) => read(c)));
      assert.deepEqual(together, [...alone, ...alone]);
      // The snapshots differ where the histories do, so a mix-up of rows would show.
      assert.equal(alone[0]?.out24h.count, 2);
      assert.equal(alone[0]?.counterparty.paidBefore, true);
      assert.equal(alone[1]?.out24h.count, 1);
      assert.equal(alone[1]?.counterparty.paidBefore, false);
      assert.equal(alone[2]?.out24h.count, 0);
      assert.equal(alone[2]?.amountMinor, -300_00);
    });
});
