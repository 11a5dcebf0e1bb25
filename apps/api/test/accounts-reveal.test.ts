import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@nextgen/testkit';
import { freshKey, fundedCustomer, openAccount, registerPasskey } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/** The full IBAN only after a fresh passkey approval bound to the account; masked everywhere else, logs included. */
const origin = 'http://localhost:3000';

function reveal(testApp: TestApp, customerId: string, accountId: string, payload?: Record<string, unknown>) {
  return testApp.injectAs(customerId, {
    method: 'POST',
    url: `/api/v1/accounts/${accountId}/reveal`,
    ...(payload ? { payload } : {}),
  });
}

function approve(authenticator: SoftwareAuthenticator, answer: { json(): Record<string, unknown> }) {
  const { stepUp } = answer.json() as {
    stepUp: { challengeId: string; publicKey: { challenge: string; rpId: string } };
  };
  return { stepUp: { challengeId: stepUp.challengeId, assertion: authenticator.getAssertion(stepUp.publicKey) } };
}

async function customerWithPasskey(testApp: TestApp, name: string) {
  const customer = await fundedCustomer(testApp, 100_00n, name);
  const authenticator = createSoftwareAuthenticator({ origin });
  await registerPasskey(testApp, customer.customerId, authenticator);
  return { ...customer, authenticator };
}

describe('revealing an account number', () => {
  it('shows the full IBAN after a passkey approval, uncached, once per approval, and audits it', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account, authenticator } = await customerWithPasskey(testApp, 'Alice Holder');

    const asked = await reveal(testApp, customerId, account.id);
    assert.equal(asked.statusCode, 403);
    assert.equal(asked.json().code, 'step_up_required');
    assert.equal(asked.json().stepUp.purpose, 'reveal_account');
    assert.doesNotMatch(asked.body, new RegExp(account.iban));

    const approval = approve(authenticator, asked);
    const revealed = await reveal(testApp, customerId, account.id, approval);
    assert.equal(revealed.statusCode, 200, revealed.body);
    assert.deepEqual(revealed.json(), { id: account.id, iban: account.iban });
    assert.equal(revealed.headers['cache-control'], 'no-store');

    const again = await reveal(testApp, customerId, account.id, approval);
    assert.equal(again.statusCode, 403);
    assert.equal(again.json().code, 'step_up_replayed');

    await testApp.services.audit.seal();
    const { rows } = await testApp.deps.db.query<{ action: string; subject_id: string }>(
      "SELECT action, subject_id FROM audit_log WHERE action = 'account.number_revealed'",
    );
    assert.deepEqual(
      rows.map((r) => [r.action, r.subject_id]),
      [['account.number_revealed', account.id]],
    );
  });

  it('refuses an approval given for another account of the same customer', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account, authenticator } = await customerWithPasskey(testApp, 'Alice Holder');
    const savings = await openAccount(testApp, customerId, { type: 'savings' });
    const approval = approve(authenticator, await reveal(testApp, customerId, account.id));
    const other = await reveal(testApp, customerId, savings.id, approval);
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().code, 'step_up_mismatch');
    assert.doesNotMatch(other.body, new RegExp(`${savings.iban}|${account.iban}`));
  });

  it('refuses a payment approval used to reveal an account', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account, authenticator } = await customerWithPasskey(testApp, 'Alice Holder');
    const payee = await fundedCustomer(testApp, 0n, 'Bob Payee');
    const payment = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/transfers',
      headers: { 'idempotency-key': freshKey() },
      payload: {
        fromAccountId: account.id,
        to: { iban: payee.account.iban },
        amount: { amount: '5.00', currency: 'EUR' },
      },
    });
    assert.equal(payment.json().code, 'step_up_required');
    const misused = await reveal(testApp, customerId, account.id, approve(authenticator, payment));
    assert.equal(misused.statusCode, 403);
    assert.equal(misused.json().code, 'step_up_mismatch');
  });

  it("answers another customer's account with 404 before any passkey prompt", async (t) => {
    const testApp = await buildTestApp(t);
    const alice = await customerWithPasskey(testApp, 'Alice Holder');
    const mallory = await customerWithPasskey(testApp, 'Mallory Prober');
    const probed = await reveal(testApp, mallory.customerId, alice.account.id);
    assert.equal(probed.statusCode, 404);
    assert.equal(probed.json().code, 'account_not_found');
    const { rows } = await testApp.deps.db.query('SELECT 1 FROM step_up_challenges');
    assert.equal(rows.length, 0, 'no challenge was issued');
  });

  it('never prints a full IBAN in the logs: transfers, payees, reveals and refused input', async (t) => {
    const logLines: string[] = [];
    const testApp = await buildTestApp(t, { env: { LOG_LEVEL: 'trace' }, logLines });
    const { customerId, account, authenticator } = await customerWithPasskey(testApp, 'Alice Holder');
    const payee = await fundedCustomer(testApp, 0n, 'Bob Payee');
    const payment = {
      fromAccountId: account.id,
      to: { iban: payee.account.iban },
      amount: { amount: '5.00', currency: 'EUR' },
    };
    const key = freshKey();
    const send = (payload: Record<string, unknown>) =>
      testApp.injectAs(customerId, {
        method: 'POST',
        url: '/api/v1/transfers',
        headers: { 'idempotency-key': key },
        payload,
      });
    const asked = await send(payment);
    assert.equal((await send({ ...payment, ...approve(authenticator, asked) })).statusCode, 201);
    const saved = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/payees',
      payload: { name: 'Bob Payee', iban: payee.account.iban },
    });
    assert.equal(saved.statusCode, 201);
    const revealed = await reveal(
      testApp,
      customerId,
      account.id,
      approve(authenticator, await reveal(testApp, customerId, account.id)),
    );
    assert.equal(revealed.statusCode, 200);
    // An IBAN in a URL a client typed, and one in a refused body.
    await testApp.injectAs(customerId, { url: `/api/v1/accounts/${payee.account.iban}` });
    await testApp.injectAs(customerId, { url: `/api/v1/transactions?q=${payee.account.iban}` });

    const log = logLines.join('');
    assert.ok(logLines.length >= 10, `requests were logged: ${logLines.length}`);
    for (const iban of [account.iban, payee.account.iban]) {
      for (const form of [iban, iban.toLowerCase(), iban.replace(/(.{4})/g, '$1 ').trim()]) {
        assert.ok(!log.includes(form), `the logs contain an IBAN ending ${iban.slice(-4)}`);
      }
    }
  });
});
