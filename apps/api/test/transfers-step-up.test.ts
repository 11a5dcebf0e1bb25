import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@nextgen/testkit';
import { createPaymentsService } from '../src/payments/service.ts';
import { freshKey, fundedCustomer, openAccount, registerPasskey, rowCounts } from './fixtures.ts';
import { buildTestApp, type TestApp, testDatabaseKinds } from './helper.ts';

/**
 * Step-up in the transfer path (payments/step-up-policy.ts, docs/adr/0024): which transfers need a
 * passkey approval, how the approval travels with the resubmitted request under the same
 * Idempotency-Key, and every way a wrong approval is refused without moving money.
 */
const origin = 'http://localhost:3000';
const eur = (amount: string) => ({ amount, currency: 'EUR' });

interface Payer {
  readonly customerId: string;
  readonly accountId: string;
  readonly authenticator: SoftwareAuthenticator;
}

/** A customer with 2,000.00 EUR and a passkey, and another customer to pay. */
async function setUp(testApp: TestApp) {
  const payer = await fundedCustomer(testApp, 2_000_00n, 'Alice Payer');
  const authenticator = createSoftwareAuthenticator({ origin });
  await registerPasskey(testApp, payer.customerId, authenticator);
  const payee = await fundedCustomer(testApp, 0n, 'Bob Payee');
  return {
    payer: { customerId: payer.customerId, accountId: payer.account.id, authenticator } satisfies Payer,
    payee: { ...payee.account, customerId: payee.customerId },
  };
}

function transfer(testApp: TestApp, payer: Payer, body: Record<string, unknown>, key: string) {
  return testApp.injectAs(payer.customerId, {
    method: 'POST',
    url: '/api/v1/transfers',
    headers: { 'idempotency-key': key },
    payload: { fromAccountId: payer.accountId, ...body },
  });
}

/** The challenge of a step_up_required answer, signed by the payer's passkey, as the app would resubmit it. */
function approve(payer: Payer, answer: { json(): Record<string, unknown> }) {
  const { stepUp } = answer.json() as {
    stepUp: { challengeId: string; publicKey: { challenge: string; rpId: string } };
  };
  return { challengeId: stepUp.challengeId, assertion: payer.authenticator.getAssertion(stepUp.publicKey) };
}

async function storedKeys(testApp: TestApp, key: string): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1',
    [key],
  );
  return rows[0]?.n ?? 0;
}

async function balance(testApp: TestApp, customerId: string, accountId: string) {
  return (await testApp.services.accounts.getAccount(customerId, accountId)).balance.amount;
}

describe('step-up in the transfer path', () => {
  it('asks for a passkey approval above the threshold and posts the resubmission with the same key once', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const key = freshKey();
    const payment = { to: { iban: payee.iban }, amount: eur('750.00'), reference: 'Deposit' };
    const before = await rowCounts(testApp.deps.db);

    const asked = await transfer(testApp, payer, payment, key);
    assert.equal(asked.statusCode, 403);
    assert.equal(asked.headers['content-type'], 'application/problem+json; charset=utf-8');
    const problem = asked.json();
    assert.equal(problem.code, 'step_up_required');
    assert.match(problem.stepUp.challengeId, /^sup_/);
    assert.equal(problem.stepUp.purpose, 'payment');
    assert.equal(problem.stepUp.publicKey.userVerification, 'required');
    assert.doesNotMatch(asked.body, new RegExp(payee.iban), 'the challenge does not echo the IBAN');
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
    assert.equal(await storedKeys(testApp, key), 0, 'step_up_required is not the key’s final answer');

    const posted = await transfer(testApp, payer, { ...payment, stepUp: approve(payer, asked) }, key);
    assert.equal(posted.statusCode, 201, posted.body);
    assert.equal(await balance(testApp, payee.customerId, payee.id), '750.00');

    // A retry of the same payment replays the answer, with or without the approval: a replay moves no money.
    const replayed = await transfer(testApp, payer, payment, key);
    assert.equal(replayed.statusCode, 201);
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.json().id, posted.json().id);
    assert.equal(await balance(testApp, payer.customerId, payer.accountId), '1250.00');
  });

  it('asks for approval of a first payment to a new payee, not of the next one', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const payment = { to: { iban: payee.iban }, amount: eur('10.00') };
    const key = freshKey();
    const asked = await transfer(testApp, payer, payment, key);
    assert.equal(asked.statusCode, 403);
    assert.equal(asked.json().code, 'step_up_required');
    const first = await transfer(testApp, payer, { ...payment, stepUp: approve(payer, asked) }, key);
    assert.equal(first.statusCode, 201, first.body);

    const second = await transfer(testApp, payer, payment, freshKey());
    assert.equal(second.statusCode, 201, second.body);
    assert.equal(await balance(testApp, payer.customerId, payer.accountId), '1980.00');
  });

  it('exempts transfers between the customer’s own accounts, whatever the amount', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer } = await setUp(testApp);
    const savings = await openAccount(testApp, payer.customerId, { type: 'savings' });
    const moved = await transfer(testApp, payer, { to: { accountId: savings.id }, amount: eur('1500.00') }, freshKey());
    assert.equal(moved.statusCode, 201, moved.body);
  });

  it('uses the STEP_UP_THRESHOLD setting and can leave new payees to the other rules', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_THRESHOLD: '1000.00', STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    const under = await transfer(testApp, payer, { to: { iban: payee.iban }, amount: eur('1000.00') }, freshKey());
    assert.equal(under.statusCode, 201, under.body);
    const over = await transfer(testApp, payer, { to: { iban: payee.iban }, amount: eur('1000.01') }, freshKey());
    assert.equal(over.statusCode, 403);
    assert.equal(over.json().code, 'step_up_required');
  });

  it('asks for approval when the risk check flags the transfer', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    const { ledger, accounts, stepUp, limits, audit } = testApp.services;
    const flagging = createPaymentsService(testApp.deps, {
      ledger,
      accounts,
      stepUp,
      limits,
      audit,
      risk: async () => ({ outcome: 'step_up', reason: 'unusual payee country' }),
    });
    const input = {
      fromAccountId: payer.accountId,
      to: { iban: payee.iban },
      amountMinor: 5_00n,
      currency: 'EUR' as const,
      reference: '',
    };
    const idempotency = { scope: `customer:${payer.customerId}`, key: freshKey(), requestHash: 'risk-test' };
    const answer = await flagging.createTransfer(payer.customerId, input, idempotency);
    assert.equal(answer.response.status, 403);
    assert.equal(answer.response.body.code, 'step_up_required');
    assert.doesNotMatch(JSON.stringify(answer.response.body), /unusual/, 'the risk reason is not told to the client');
    const unflagged = await testApp.services.payments.createTransfer(payer.customerId, input, {
      ...idempotency,
      key: freshKey(),
    });
    assert.equal(unflagged.response.status, 201);
  });

  it('refuses an approval given for another amount, and the approved amount still posts with it', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const key = freshKey();
    const payment = { to: { iban: payee.iban }, amount: eur('750.00') };
    const asked = await transfer(testApp, payer, payment, key);
    const stepUp = approve(payer, asked);
    const before = await rowCounts(testApp.deps.db);
    const tampered = await transfer(testApp, payer, { ...payment, amount: eur('7500.00'), stepUp }, freshKey());
    assert.equal(tampered.statusCode, 403);
    assert.equal(tampered.json().code, 'step_up_mismatch');
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
    const approved = await transfer(testApp, payer, { ...payment, stepUp }, key);
    assert.equal(approved.statusCode, 201, approved.body);
  });

  it('refuses an approval for one amount sent under the same key with another amount', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const key = freshKey();
    const payment = { to: { iban: payee.iban }, amount: eur('750.00') };
    const stepUp = approve(payer, await transfer(testApp, payer, payment, key));
    const before = await rowCounts(testApp.deps.db);
    const swapped = await transfer(testApp, payer, { ...payment, amount: eur('7500.00'), stepUp }, key);
    assert.equal(swapped.statusCode, 403);
    assert.equal(swapped.json().code, 'step_up_mismatch');
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
    const approved = await transfer(testApp, payer, { ...payment, stepUp }, key);
    assert.equal(approved.statusCode, 201, approved.body);
    assert.deepEqual(approved.json().amount, eur('750.00'));
    const later = await transfer(testApp, payer, { ...payment, amount: eur('7500.00'), stepUp }, key);
    assert.equal(later.statusCode, 422, 'once answered, the key names the 750.00 payment only');
    assert.equal(later.json().code, 'idempotency_key_reused');
  });

  it('refuses an approval given for another payee', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const other = await fundedCustomer(testApp, 0n, 'Mallory Other');
    const payment = { to: { iban: payee.iban }, amount: eur('750.00') };
    const asked = await transfer(testApp, payer, payment, freshKey());
    const before = await rowCounts(testApp.deps.db);
    const redirected = await transfer(
      testApp,
      payer,
      { ...payment, to: { iban: other.account.iban }, stepUp: approve(payer, asked) },
      freshKey(),
    );
    assert.equal(redirected.statusCode, 403);
    assert.equal(redirected.json().code, 'step_up_mismatch');
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
  });

  it('refuses an approval given for the same payment from another of the customer’s accounts', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const second = await openAccount(testApp, payer.customerId, { fundMinor: 2_000_00n });
    const key = freshKey();
    const payment = { to: { iban: payee.iban }, amount: eur('750.00') };
    const stepUp = approve(payer, await transfer(testApp, payer, payment, key));
    const before = await rowCounts(testApp.deps.db);
    const debitedElsewhere = await transfer(testApp, payer, { ...payment, fromAccountId: second.id, stepUp }, key);
    assert.equal(debitedElsewhere.statusCode, 403, debitedElsewhere.body);
    assert.equal(debitedElsewhere.json().code, 'step_up_mismatch');
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
    assert.equal(await balance(testApp, payer.customerId, second.id), '2000.00');
    const approved = await transfer(testApp, payer, { ...payment, stepUp }, key);
    assert.equal(approved.statusCode, 201, approved.body);
  });

  it('asks for approval when unapproved payments in the last 24 hours add up past the threshold (no splitting)', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    const pay = (amount: string, extra: Record<string, unknown> = {}, key = freshKey()) =>
      transfer(testApp, payer, { to: { iban: payee.iban }, amount: eur(amount), ...extra }, key);
    assert.equal((await pay('300.00')).statusCode, 201);
    assert.equal((await pay('200.00')).statusCode, 201, '500.00 in total is not above the threshold');
    const key = freshKey();
    const split = await pay('0.01', {}, key);
    assert.equal(split.statusCode, 403, split.body);
    assert.equal(split.json().code, 'step_up_required');
    const approved = await pay('0.01', { stepUp: approve(payer, split) }, key);
    assert.equal(approved.statusCode, 201, approved.body);
    // An approved payment does not add to the total, and its own-account transfers never count.
    const savings = await openAccount(testApp, payer.customerId, { type: 'savings' });
    const own = await transfer(testApp, payer, { to: { accountId: savings.id }, amount: eur('900.00') }, freshKey());
    assert.equal(own.statusCode, 201, own.body);
    assert.equal((await pay('0.01')).statusCode, 403, 'the unapproved 500.00 still counts');
    // Older than the window, payments no longer count.
    await testApp.deps.db.query(
      "UPDATE transfers SET created_at = created_at - interval '25 hours' WHERE customer_id = $1",
      [payer.customerId],
    );
    assert.equal((await pay('400.00')).statusCode, 201);
  });

  it('checks an approval sent with a payment only the cumulative rule could ask about', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    const large = { to: { iban: payee.iban }, amount: eur('750.00') };
    const key = freshKey();
    const stepUp = approve(payer, await transfer(testApp, payer, large, key));
    assert.equal((await transfer(testApp, payer, { ...large, stepUp }, key)).statusCode, 201);
    // 10.00 would fit under the threshold, but whether it does is known only as it posts: the
    // approval it carries is checked first, and this one was spent on the 750.00.
    const before = await rowCounts(testApp.deps.db);
    const small = await transfer(
      testApp,
      payer,
      { to: { iban: payee.iban }, amount: eur('10.00'), stepUp },
      freshKey(),
    );
    assert.equal(small.statusCode, 403, small.body);
    assert.match(small.json().code, /^step_up_(replayed|mismatch)$/);
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
  });

  it('lets unapproved payments add up past the threshold with STEP_UP_CUMULATIVE=false', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false', STEP_UP_CUMULATIVE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    for (const amount of ['400.00', '400.00'])
      assert.equal(
        (await transfer(testApp, payer, { to: { iban: payee.iban }, amount: eur(amount) }, freshKey())).statusCode,
        201,
      );
    assert.equal(await balance(testApp, payee.customerId, payee.id), '800.00');
  });

  it('reads STEP_UP_THRESHOLD as CUR:amount pairs over the per-currency defaults', async (t) => {
    const testApp = await buildTestApp(t, {
      env: { STEP_UP_NEW_PAYEE: 'false', STEP_UP_THRESHOLD: 'EUR:100.00' },
    });
    const { payer, payee } = await setUp(testApp);
    const over = await transfer(testApp, payer, { to: { iban: payee.iban }, amount: eur('100.01') }, freshKey());
    assert.equal(over.statusCode, 403, over.body);
    assert.equal(over.json().code, 'step_up_required');
    assert.equal(testApp.deps.config.stepUpThreshold, 'EUR:100.00');
  });

  it('refuses an expired approval', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const key = freshKey();
    const payment = { to: { iban: payee.iban }, amount: eur('750.00') };
    const asked = await transfer(testApp, payer, payment, key);
    const stepUp = approve(payer, asked);
    // Five minutes pass (the challenge row's clock, not the test's: no waiting).
    await testApp.deps.db.query(
      "UPDATE step_up_challenges SET expires_at = now() - interval '1 second' WHERE id = $1",
      [stepUp.challengeId],
    );
    const late = await transfer(testApp, payer, { ...payment, stepUp }, key);
    assert.equal(late.statusCode, 403);
    assert.equal(late.json().code, 'step_up_expired');
    assert.equal(await storedKeys(testApp, key), 0, 'the key stays free for a fresh approval');
    const again = await transfer(testApp, payer, payment, key);
    assert.equal(again.json().code, 'step_up_required');
    const posted = await transfer(testApp, payer, { ...payment, stepUp: approve(payer, again) }, key);
    assert.equal(posted.statusCode, 201, posted.body);
  });

  it('refuses a replayed approval for a second payment', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const payment = { to: { iban: payee.iban }, amount: eur('750.00') };
    const key = freshKey();
    const stepUp = approve(payer, await transfer(testApp, payer, payment, key));
    assert.equal((await transfer(testApp, payer, { ...payment, stepUp }, key)).statusCode, 201);
    const before = await rowCounts(testApp.deps.db);
    const replayed = await transfer(testApp, payer, { ...payment, stepUp }, freshKey());
    assert.equal(replayed.statusCode, 403);
    assert.equal(replayed.json().code, 'step_up_replayed');
    assert.deepEqual(await rowCounts(testApp.deps.db), before, 'nothing moved');
  });

  it('refuses an approval signed by another customer’s passkey', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer, payee } = await setUp(testApp);
    const thief = createSoftwareAuthenticator({ origin });
    await registerPasskey(testApp, payee.customerId, thief);
    const payment = { to: { iban: payee.iban }, amount: eur('750.00') };
    const asked = await transfer(testApp, payer, payment, freshKey());
    const { stepUp } = asked.json();
    const forged = {
      challengeId: stepUp.challengeId,
      assertion: thief.getAssertion({ ...stepUp.publicKey, allowCredentials: [] }),
    };
    const refused = await transfer(testApp, payer, { ...payment, stepUp: forged }, freshKey());
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'step_up_invalid');
  });

  it('tells a customer without a passkey to add one before such a payment', async (t) => {
    const testApp = await buildTestApp(t);
    const payer = await fundedCustomer(testApp, 2_000_00n, 'Nora Nopasskey');
    const payee = await fundedCustomer(testApp, 0n, 'Bob Payee');
    const answer = await testApp.injectAs(payer.customerId, {
      method: 'POST',
      url: '/api/v1/transfers',
      headers: { 'idempotency-key': freshKey() },
      payload: { fromAccountId: payer.account.id, to: { iban: payee.account.iban }, amount: eur('750.00') },
    });
    assert.equal(answer.statusCode, 403);
    assert.equal(answer.json().code, 'passkey_required');
  });
});

/** Another API process on the same database: a payments service with its own transfer batcher. */
function otherPod(testApp: TestApp) {
  const { ledger, accounts, stepUp, limits, audit } = testApp.services;
  return createPaymentsService(testApp.deps, { ledger, accounts, stepUp, limits, audit });
}

/** Waits until `count` payments_post statements wait on a lock. */
async function untilBatchesWaitOnLocks(testApp: TestApp, count: number) {
  for (let tries = 0; tries < 500; tries += 1) {
    const { rows } = await testApp.deps.db.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%payments_post%'`,
    );
    if ((rows[0]?.waiting ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${count} batches never waited on locks`);
}

/** What the payer paid others without a passkey approval in the window: the cumulative rule's total. */
async function unapprovedPaidMinor(testApp: TestApp, customerId: string): Promise<bigint> {
  const { rows } = await testApp.deps.db.query<{ total: string }>(
    `SELECT coalesce(sum(t.amount_minor), 0)::text AS total FROM transfers t
     WHERE t.customer_id = $1 AND NOT t.to_own_account
       AND NOT EXISTS (SELECT 1 FROM payment_approvals a WHERE a.transfer_id = t.id)`,
    [customerId],
  );
  return BigInt(rows[0]?.total ?? '0');
}

for (const database of testDatabaseKinds) {
  describe(`the cumulative step-up rule under concurrency (${database})`, () => {
    it('never lets concurrent unapproved payments together pass the threshold; the rest answer step_up_required', async (t) => {
      const testApp = await buildTestApp(t, { database, env: { STEP_UP_NEW_PAYEE: 'false' } });
      const { payer, payee } = await setUp(testApp);
      // 24 payments of 50.00 at once (1,200.00, each far under the 500.00 threshold): exactly ten fit.
      // They go straight to the payments service of three "pods" (each batches its own transfers, one
      // batch in flight), so batches of one pod and of the others meet in the database, and so that
      // on PGlite too (one connection, where HTTP admission spaces requests out) they arrive together.
      const pods = [testApp.services.payments, otherPod(testApp), otherPod(testApp)];
      const input = {
        fromAccountId: payer.accountId,
        to: { iban: payee.iban },
        amountMinor: 50_00n,
        currency: 'EUR' as const,
        reference: 'Split',
      };
      const keys = Array.from({ length: 24 }, () => freshKey());
      const scope = `customer:${payer.customerId}`;
      const answers = await Promise.all(
        keys.map((key, i) =>
          pods[i % pods.length]?.createTransfer(payer.customerId, input, { scope, key, requestHash: key }),
        ),
      );

      const asked = answers.filter((a) => a?.response.status !== 201);
      for (const answer of asked) {
        const response = answer?.response ?? { status: 0, body: {} };
        assert.equal(response.status, 403, JSON.stringify(response.body));
        assert.equal(response.body.code, 'step_up_required');
      }
      assert.equal(await unapprovedPaidMinor(testApp, payer.customerId), 500_00n, 'the total stops at the threshold');
      assert.equal(answers.length - asked.length, 10, 'ten unapproved payments of 50.00 posted');
      assert.equal(await balance(testApp, payee.customerId, payee.id), '500.00');

      // The customer approves one that was asked, resubmitted with its key: it posts and stays out of the total.
      const index = answers.findIndex((a) => a?.response.status === 403);
      // A service answer keeps a problem's extensions apart; HTTP spreads them into the body.
      const [challenge, askedKey] = [answers[index]?.response.body.extensions, keys[index]];
      assert.ok(challenge && askedKey);
      const payment = { to: { iban: payee.iban }, amount: eur('50.00'), reference: 'Split' };
      const stepUp = approve(payer, { json: () => challenge as Record<string, unknown> });
      const resubmitted = await transfer(testApp, payer, { ...payment, stepUp }, askedKey);
      assert.equal(resubmitted.statusCode, 201, resubmitted.body);
      assert.equal(await unapprovedPaidMinor(testApp, payer.customerId), 500_00n);
      assert.equal(await balance(testApp, payee.customerId, payee.id), '550.00');
      const next = await transfer(testApp, payer, payment, freshKey());
      assert.equal(next.statusCode, 403, next.body);
      assert.equal(next.json().code, 'step_up_required');
    });
  });
}

describe('the cumulative step-up rule across API processes', () => {
  it('decides a payment only after the other process’s payment ahead of it committed', async (t) => {
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false' } });
    const { payer, payee } = await setUp(testApp);
    const { db } = testApp.deps;
    const payment = (amountMinor: bigint, at?: Date) => ({
      fromAccountId: payer.accountId,
      to: { iban: payee.iban },
      amountMinor,
      currency: 'EUR' as const,
      reference: '',
      at,
    });
    // The first payment is dated just before today's UTC midnight: within the 24-hour window, but on
    // another day's daily-limit row, so only the step-up rule's own lock puts the two in order.
    const beforeMidnight = new Date(new Date().setUTCHours(0, 0, 0, 0) - 1);
    const key = () => ({ scope: `customer:${payer.customerId}`, key: freshKey(), requestHash: 'pods' });
    const { ledger_account_id: ledgerAccountId } = (
      await db.query<{ ledger_account_id: string }>('SELECT ledger_account_id FROM accounts WHERE id = $1', [
        payer.accountId,
      ])
    ).rows[0] ?? { ledger_account_id: '' };

    // The payer's ledger account is held, so the first process's 450.00 stops mid-statement, past its
    // step-up decision; the second's 100.00 starts meanwhile, and may decide only once 450.00 is in.
    const { first, second } = await db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM ledger_accounts WHERE id = $1 FOR UPDATE', [ledgerAccountId]);
      const first = testApp.services.payments.createTransfer(payer.customerId, payment(450_00n, beforeMidnight), key());
      await untilBatchesWaitOnLocks(testApp, 1);
      const second = otherPod(testApp).createTransfer(payer.customerId, payment(100_00n), key());
      await untilBatchesWaitOnLocks(testApp, 2);
      return { first, second }; // not awaited: both wait for this transaction to end
    });
    assert.equal((await first).response.status, 201);
    const answer = await second;
    assert.equal(answer.response.status, 403, JSON.stringify(answer.response.body));
    assert.equal(answer.response.body.code, 'step_up_required');
    assert.equal(await unapprovedPaidMinor(testApp, payer.customerId), 450_00n);
  });
});
