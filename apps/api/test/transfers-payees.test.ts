import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLedgerInvariants, createSoftwareAuthenticator, type SoftwareAuthenticator } from '@nextgen/testkit';
import { freshKey, fundedCustomer, registerPasskey, rowCounts } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Paying a saved payee by id (`to: { payeeId }`, payments/routes.ts): the server pays the IBAN saved
 * with the payee, exactly as a transfer to that IBAN, and the full IBAN and name never leave it.
 */
const origin = 'http://localhost:3000';
const eur = (amount: string) => ({ amount, currency: 'EUR' });

interface Payer {
  readonly customerId: string;
  readonly accountId: string;
  readonly authenticator: SoftwareAuthenticator;
}

/** A customer with 2,000.00 EUR and a passkey, another customer to pay, and a payee saved for them. */
async function setUp(testApp: TestApp) {
  const funded = await fundedCustomer(testApp, 2_000_00n, 'Alice Payer');
  const authenticator = createSoftwareAuthenticator({ origin });
  await registerPasskey(testApp, funded.customerId, authenticator);
  const payer: Payer = { customerId: funded.customerId, accountId: funded.account.id, authenticator };
  const bob = await fundedCustomer(testApp, 0n, 'Bob Payee');
  const payeeId = await savePayee(testApp, payer.customerId, 'Bob Payee', bob.account.iban);
  return { payer, payee: { ...bob.account, customerId: bob.customerId, payeeId } };
}

async function savePayee(testApp: TestApp, customerId: string, name: string, iban: string): Promise<string> {
  const saved = await testApp.injectAs(customerId, { method: 'POST', url: '/api/v1/payees', payload: { name, iban } });
  assert.equal(saved.statusCode, 201, saved.body);
  return saved.json().id;
}

function transfer(testApp: TestApp, payer: Payer, body: Record<string, unknown>, key: string) {
  return testApp.injectAs(payer.customerId, {
    method: 'POST',
    url: '/api/v1/transfers',
    headers: { 'idempotency-key': key },
    payload: { fromAccountId: payer.accountId, ...body },
  });
}

/** The challenge of a step_up_required answer, signed by the payer's passkey. */
function approve(payer: Payer, answer: { json(): Record<string, unknown> }) {
  const { stepUp } = answer.json() as {
    stepUp: { challengeId: string; publicKey: { challenge: string; rpId: string } };
  };
  return { challengeId: stepUp.challengeId, assertion: payer.authenticator.getAssertion(stepUp.publicKey) };
}

async function balance(testApp: TestApp, customerId: string, accountId: string) {
  return (await testApp.services.accounts.getAccount(customerId, accountId)).balance.amount;
}

async function storedKeys(testApp: TestApp, key: string): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1',
    [key],
  );
  return rows[0]?.n ?? 0;
}

describe('paying a saved payee by id', () => {
  it('pays the IBAN saved with the payee, answering it masked, with the ledger balanced', async (t) => {
    const logLines: string[] = [];
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false', LOG_LEVEL: 'info' }, logLines });
    const { payer, payee } = await setUp(testApp);

    const paid = await transfer(testApp, payer, { to: { payeeId: payee.payeeId }, amount: eur('45.50') }, freshKey());
    assert.equal(paid.statusCode, 201, paid.body);
    const body = paid.json();
    assert.equal(body.toAccountId, null, 'another customer’s account id is not shown');
    assert.deepEqual(body.amount, eur('45.50'));
    assert.equal(
      body.counterparty.maskedIban,
      `${payee.iban.slice(0, 2)}** **** **** **** **${payee.iban.slice(-4, -2)} ${payee.iban.slice(-2)}`,
    );
    assert.doesNotMatch(paid.body, new RegExp(`${payee.iban}|Bob Payee`), 'no full IBAN or name in the answer');
    assert.equal(await balance(testApp, payer.customerId, payer.accountId), '1954.50');
    assert.equal(await balance(testApp, payee.customerId, payee.id), '45.50');
    assert.deepEqual(await checkLedgerInvariants(testApp.deps.db), []);
    assert.ok(logLines.length > 0, 'the request was logged');
    assert.doesNotMatch(logLines.join('\n'), new RegExp(`${payee.iban}|Bob Payee`), 'no full IBAN or name logged');
  });

  it('refuses someone else’s payee with 404 payee_not_found, moving nothing and keeping the key free', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    const mallory = await fundedCustomer(testApp, 0n, 'Mallory Other');
    const theirs = await savePayee(testApp, mallory.customerId, 'Bob Payee', payee.iban);
    const before = await rowCounts(testApp.deps.db);
    const key = freshKey();

    const refused = await transfer(testApp, payer, { to: { payeeId: theirs }, amount: eur('10.00') }, key);
    assert.equal(refused.statusCode, 404);
    assert.equal(refused.json().code, 'payee_not_found');
    assert.doesNotMatch(refused.body, new RegExp(payee.iban));
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
    assert.equal(await storedKeys(testApp, key), 0, 'the refusal is not stored under the key');

    // The key stays free for the corrected request.
    const paid = await transfer(testApp, payer, { to: { payeeId: payee.payeeId }, amount: eur('10.00') }, key);
    assert.equal(paid.statusCode, 201, paid.body);
  });

  it('refuses a deleted payee, yet replays a payment made to it before', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    const key = freshKey();
    const payment = { to: { payeeId: payee.payeeId }, amount: eur('20.00') };
    const paid = await transfer(testApp, payer, payment, key);
    assert.equal(paid.statusCode, 201, paid.body);

    const deleted = await testApp.injectAs(payer.customerId, {
      method: 'DELETE',
      url: `/api/v1/payees/${payee.payeeId}`,
    });
    assert.equal(deleted.statusCode, 204);
    const before = await rowCounts(testApp.deps.db);

    const refused = await transfer(testApp, payer, payment, freshKey());
    assert.equal(refused.statusCode, 404);
    assert.equal(refused.json().code, 'payee_not_found');
    // The retry of the payment made before the deletion is answered as then: a replay moves nothing.
    const replayed = await transfer(testApp, payer, payment, key);
    assert.equal(replayed.statusCode, 201);
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.json().id, paid.json().id);
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
  });

  it('asks for approval of the first payment to the payee and posts the resubmission with the same key once', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const key = freshKey();
    const payment = { to: { payeeId: payee.payeeId }, amount: eur('10.00'), reference: 'Dinner' };
    const before = await rowCounts(testApp.deps.db);

    const asked = await transfer(testApp, payer, payment, key);
    assert.equal(asked.statusCode, 403);
    assert.equal(asked.json().code, 'step_up_required', 'saving a payee does not exempt the first payment');
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
    assert.equal(await storedKeys(testApp, key), 0);

    const stepUp = approve(payer, asked);
    const posted = await transfer(testApp, payer, { ...payment, stepUp }, key);
    assert.equal(posted.statusCode, 201, posted.body);
    // The same approval again, and the request without it: both replay the one transfer.
    for (const retry of [{ ...payment, stepUp }, payment]) {
      const replayed = await transfer(testApp, payer, retry, key);
      assert.equal(replayed.statusCode, 201, replayed.body);
      assert.equal(replayed.headers['idempotent-replayed'], 'true');
      assert.deepEqual(replayed.json(), posted.json());
    }
    // The same payment by IBAN is another body for the key.
    const byIban = await transfer(testApp, payer, { ...payment, to: { iban: payee.iban } }, key);
    assert.equal(byIban.statusCode, 422);
    assert.equal(byIban.json().code, 'idempotency_key_reused');
    assert.equal(await balance(testApp, payer.customerId, payer.accountId), '1990.00');
    assert.equal(await balance(testApp, payee.customerId, payee.id), '10.00');
    assert.deepEqual(await checkLedgerInvariants(testApp.deps.db), []);
  });

  it('binds the approval to the payee’s IBAN: the same payment by IBAN or by payee is one approval, another payee is not', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const carol = await fundedCustomer(testApp, 0n, 'Carol Other');
    const carolPayeeId = await savePayee(testApp, payer.customerId, 'Carol Other', carol.account.iban);

    // Asked for by IBAN, approved and sent by payee id: the challenge binds the resolved IBAN.
    const asked = await transfer(testApp, payer, { to: { iban: payee.iban }, amount: eur('750.00') }, freshKey());
    assert.equal(asked.json().code, 'step_up_required');
    const key = freshKey();
    const byPayee = { to: { payeeId: payee.payeeId }, amount: eur('750.00') };
    const posted = await transfer(testApp, payer, { ...byPayee, stepUp: approve(payer, asked) }, key);
    assert.equal(posted.statusCode, 201, posted.body);

    // Asked for by payee id, sent to another payee: refused, nothing moved.
    const again = await transfer(testApp, payer, byPayee, freshKey());
    assert.equal(again.json().code, 'step_up_required', 'above the threshold, every time');
    const before = await rowCounts(testApp.deps.db);
    const other = await transfer(
      testApp,
      payer,
      { to: { payeeId: carolPayeeId }, amount: eur('750.00'), stepUp: approve(payer, again) },
      freshKey(),
    );
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().code, 'step_up_mismatch');
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
    assert.equal(await balance(testApp, carol.customerId, carol.account.id), '0.00');
  });

  it('counts payments by IBAN and by payee id together in the 24-hour step-up total', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    const byIban = await transfer(testApp, payer, { to: { iban: payee.iban }, amount: eur('300.00') }, freshKey());
    assert.equal(byIban.statusCode, 201, byIban.body);

    // 300.00 + 300.00 passes the 500.00 threshold, whichever form names the payee.
    const over = await transfer(testApp, payer, { to: { payeeId: payee.payeeId }, amount: eur('300.00') }, freshKey());
    assert.equal(over.statusCode, 403);
    assert.equal(over.json().code, 'step_up_required');
    const fits = await transfer(testApp, payer, { to: { payeeId: payee.payeeId }, amount: eur('200.00') }, freshKey());
    assert.equal(fits.statusCode, 201, fits.body);
    const overAgain = await transfer(testApp, payer, { to: { iban: payee.iban }, amount: eur('0.01') }, freshKey());
    assert.equal(overAgain.json().code, 'step_up_required');
    assert.equal(await balance(testApp, payee.customerId, payee.id), '500.00');
  });

  it('points a payee’s field problems at the payee id: a saved IBAN of another bank is no account here', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer } = await setUp(testApp);
    const outside = await savePayee(testApp, payer.customerId, 'Landlord Ltd', 'GB82WEST12345698765432');
    const before = await rowCounts(testApp.deps.db);
    const refused = await transfer(testApp, payer, { to: { payeeId: outside }, amount: eur('5.00') }, freshKey());
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().code, 'payee_account_not_found');
    assert.deepEqual(refused.json().errors, [
      { pointer: '/body/to/payeeId', detail: 'is not an open account in this bank' },
    ]);
    assert.doesNotMatch(refused.body, /GB82WEST|98765432|Landlord/);
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
  });

  it('takes exactly one form of payee, and a payee id only where a payee id goes', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    for (const to of [
      { payeeId: payee.payeeId, iban: payee.iban },
      { payeeId: payee.id },
      { payeeId: 'pye_' },
      { payeeId: payee.payeeId, name: 'Bob Payee' },
    ]) {
      const refused = await transfer(testApp, payer, { to, amount: eur('1.00') }, freshKey());
      assert.equal(refused.statusCode, 400, JSON.stringify(to));
      assert.doesNotMatch(refused.body, new RegExp(payee.iban));
    }
    assert.equal(await balance(testApp, payee.customerId, payee.id), '0.00');
  });
});
