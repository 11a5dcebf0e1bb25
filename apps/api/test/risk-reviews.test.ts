import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fraudLabelsFormat, readFraudLabels } from '@nextgen/ml';
import { checkLedgerInvariants, checkTransferRecords } from '@nextgen/testkit';
import { commandLine, freshKey, fundedCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp, testDatabaseKinds } from './helper.ts';
import { type SignedInOperator, signedInOperator } from './operators.ts';
import { holdingEnv } from './risk-models.ts';

/**
 * Hold for review (docs/adr/0131): a transfer the model scores at its 0.1 % false-positive threshold
 * is held, not declined: the ledger reserves the money, the customer is told why in safe words, and
 * a fraud analyst approves it (the money moves) or rejects it (the reservation is released, the
 * account frozen if asked). Each review labels the decision for the next training run.
 *
 * The committed model, saved again with its hold threshold at 0, holds every payment to another
 * customer: the tests are about what a hold does, not about which payments the model holds.
 */
async function holdingApp(t: TestContext, database: (typeof testDatabaseKinds)[number]) {
  return buildTestApp(t, { env: await holdingEnv(t), database });
}

const eur = (amount: string) => ({ amount, currency: 'EUR' });

function pay(testApp: TestApp, customerId: string, body: object, key = freshKey()) {
  return testApp.injectAs(customerId, {
    method: 'POST',
    url: '/api/v1/transfers',
    headers: { 'idempotency-key': key },
    payload: body,
  });
}

async function balances(testApp: TestApp, customerId: string, accountId: string) {
  const answer = await testApp.injectAs(customerId, { method: 'GET', url: `/api/v1/accounts/${accountId}` });
  assert.equal(answer.statusCode, 200, answer.body);
  const { balance, availableBalance } = answer.json() as Record<string, { amount: string }>;
  return { balance: balance?.amount, available: availableBalance?.amount };
}

const review = (testApp: TestApp, operator: SignedInOperator, method: 'GET' | 'POST', url: string, payload?: object) =>
  testApp.app.inject({
    method,
    url: `/backoffice/v1${url}`,
    headers: { authorization: operator.authorization },
    ...(method === 'POST' ? { payload: payload ?? {} } : {}),
  });

async function decisionOf(testApp: TestApp, transferId: string) {
  const { rows } = await testApp.deps.db.query<{
    outcome: string;
    review: string | null;
    label: string | null;
    reviewed_by: string | null;
  }>(
    `SELECT d.outcome, d.review, d.label, d.reviewed_by FROM transfers t JOIN fraud_decisions d ON d.id = t.risk_decision_id
     WHERE t.id = $1`,
    [transferId],
  );
  return rows[0];
}

async function eventCount(testApp: TestApp, transferId: string, topic: string) {
  const { rows } = await testApp.deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = $1 AND topic = $2',
    [transferId, topic],
  );
  return rows[0]?.n;
}

async function booksBalance(testApp: TestApp) {
  assert.deepEqual(await checkLedgerInvariants(testApp.deps.db), []);
  assert.deepEqual(await checkTransferRecords(testApp.deps.db), []);
}

/**
 * The review became a label: `./ng backoffice fraud-labels` writes it with the decision's features,
 * and the ml package's reader (what `./ng ml train --labels` uses) takes it as one fraud row.
 */
async function labelsReachTraining(t: TestContext, testApp: TestApp) {
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-labels-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'labels.jsonl');
  const run = commandLine(testApp, 'backoffice');
  const { stdout } = await run('fraud-labels', '--out', out);
  assert.deepEqual(JSON.parse(stdout), { file: out, labels: 1, format: fraudLabelsFormat });
  const [label] = (await readFile(out, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(label.label, 'fraud');
  assert.equal(label.model.startsWith('fraud@'), true);
  assert.doesNotMatch(JSON.stringify(label), /cus_|acc_|trf_|DE\d{2}/, 'no customer, account, transfer or IBAN');
  const reviewed = await readFraudLabels(out);
  assert.equal(reviewed.set.rows, 1);
  assert.deepEqual([...reviewed.set.labels], [1]);
  await assert.rejects(run('fraud-labels', '--out', out), /exists already/, 'never overwrites a file');
  const later = await run('fraud-labels', '--out', path.join(dir, 'later.jsonl'), '--after', new Date().toISOString());
  assert.equal(JSON.parse(later.stdout).labels, 0);
  await assert.rejects(run('fraud-labels', '--out', path.join(dir, 'x.jsonl'), '--after', 'yesterday'), /ISO 8601/);
}

describe('transfers held for fraud review', () => {
  for (const database of testDatabaseKinds)
    it(`holds the money, tells the customer why, and posts it when an analyst approves (${database})`, async (t) => {
      const testApp = await holdingApp(t, database);
      const payer = await fundedCustomer(testApp, 500_00n, 'Held Payer');
      const payee = await fundedCustomer(testApp, 0n, 'Held Payee');
      const analyst = await signedInOperator(testApp, ['fraud'], 'Fraud analyst');
      const body = { fromAccountId: payer.account.id, to: { iban: payee.account.iban }, amount: eur('120.00') };

      const key = freshKey();
      const held = await pay(testApp, payer.customerId, body, key);
      assert.equal(held.statusCode, 202, held.body);
      const transfer = held.json();
      assert.equal(transfer.status, 'held');
      assert.equal(transfer.postedAt, null);
      assert.equal(transfer.review.status, 'pending');
      assert.match(transfer.review.reason, /^[a-z_]+$/);
      assert.match(transfer.review.message, /reserved, not sent/);
      assert.doesNotMatch(held.body, /rule:|score|_log|fan_in/, 'no scores or model features reach the customer');
      const replay = await pay(testApp, payer.customerId, body, key);
      assert.equal(replay.statusCode, 202);
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      assert.equal(replay.json().id, transfer.id, 'a retry holds nothing more');

      // Reserved, not moved: the payer's available balance drops, the payee sees nothing yet.
      assert.deepEqual(await balances(testApp, payer.customerId, payer.account.id), {
        balance: '500.00',
        available: '380.00',
      });
      assert.deepEqual(await balances(testApp, payee.customerId, payee.account.id), {
        balance: '0.00',
        available: '0.00',
      });
      const shown = await testApp.injectAs(payer.customerId, {
        method: 'GET',
        url: `/api/v1/transfers/${transfer.id}`,
      });
      assert.equal(shown.json().status, 'held');
      assert.equal(shown.json().review.reason, transfer.review.reason);
      assert.equal(await eventCount(testApp, transfer.id, 'transfer.held'), 1);
      assert.equal(await eventCount(testApp, transfer.id, 'transfer.posted'), 0);
      await booksBalance(testApp);

      // The queue: the analyst sees the transfer with the decision's scores and plain-word reasons.
      const support = await signedInOperator(testApp, ['support'], 'Support desk');
      assert.equal((await review(testApp, support, 'GET', '/fraud-reviews')).statusCode, 403);
      const queue = await review(testApp, analyst, 'GET', '/fraud-reviews');
      assert.equal(queue.statusCode, 200, queue.body);
      const [item, ...others] = queue.json().data;
      assert.equal(others.length, 0);
      assert.equal(item.transfer.id, transfer.id);
      assert.equal(item.customerId, payer.customerId);
      assert.equal(item.decision.outcome, 'hold');
      assert.match(item.decision.model, /^fraud@\d+\.\d+\.\d+$/);
      assert.equal(typeof item.decision.score, 'number');
      assert.ok(
        item.decision.reasons.length > 0 &&
          item.decision.reasons.every((r: { description: string }) => r.description.length > 10),
      );
      assert.doesNotMatch(queue.body, new RegExp(payee.account.iban), 'the back office sees masked IBANs');

      const approved = await review(testApp, analyst, 'POST', `/fraud-reviews/${transfer.id}/approve`);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().transfer.status, 'posted');
      assert.equal(approved.json().decision.review.outcome, 'approved');
      assert.equal(approved.json().decision.review.by, analyst.id);
      const again = await review(testApp, analyst, 'POST', `/fraud-reviews/${transfer.id}/approve`);
      assert.equal(again.statusCode, 200, 'approving twice answers the approved transfer');
      assert.equal(
        (await review(testApp, analyst, 'POST', `/fraud-reviews/${transfer.id}/reject`)).json().code,
        'review_already_decided',
      );

      assert.deepEqual(await balances(testApp, payer.customerId, payer.account.id), {
        balance: '380.00',
        available: '380.00',
      });
      assert.deepEqual(await balances(testApp, payee.customerId, payee.account.id), {
        balance: '120.00',
        available: '120.00',
      });
      const posted = await testApp.injectAs(payer.customerId, {
        method: 'GET',
        url: `/api/v1/transfers/${transfer.id}`,
      });
      assert.equal(posted.json().status, 'posted');
      assert.equal(posted.json().review, undefined);
      assert.equal(await eventCount(testApp, transfer.id, 'transfer.posted'), 1, 'posted once though approved twice');
      assert.deepEqual(await decisionOf(testApp, transfer.id), {
        outcome: 'hold',
        review: 'approved',
        label: 'legitimate',
        reviewed_by: analyst.id,
      });
      const queueAfter = await review(testApp, analyst, 'GET', '/fraud-reviews');
      assert.equal(queueAfter.json().data.length, 0);
      await booksBalance(testApp);
    });

  for (const database of testDatabaseKinds)
    it(`releases the money when an analyst rejects, freezing the account on request (${database})`, async (t) => {
      const testApp = await holdingApp(t, database);
      const payer = await fundedCustomer(testApp, 500_00n, 'Held Payer');
      const payee = await fundedCustomer(testApp, 0n, 'Held Payee');
      const analyst = await signedInOperator(testApp, ['fraud'], 'Fraud analyst');
      const body = { fromAccountId: payer.account.id, to: { iban: payee.account.iban }, amount: eur('450.00') };
      const held = await pay(testApp, payer.customerId, body);
      assert.equal(held.statusCode, 202, held.body);
      const { id } = held.json();
      const limitsBefore = await testApp.injectAs(payer.customerId, { method: 'GET', url: '/api/v1/me/limits' });

      const rejected = await review(testApp, analyst, 'POST', `/fraud-reviews/${id}/reject`, { freezeAccount: true });
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.equal(rejected.json().transfer.status, 'rejected');
      assert.equal((await review(testApp, analyst, 'POST', `/fraud-reviews/${id}/reject`)).statusCode, 200);
      assert.equal(
        (await review(testApp, analyst, 'POST', `/fraud-reviews/${id}/approve`)).json().code,
        'review_already_decided',
      );

      assert.deepEqual(await balances(testApp, payer.customerId, payer.account.id), {
        balance: '500.00',
        available: '500.00',
      });
      assert.deepEqual(await balances(testApp, payee.customerId, payee.account.id), {
        balance: '0.00',
        available: '0.00',
      });
      const account = await testApp.injectAs(payer.customerId, {
        method: 'GET',
        url: `/api/v1/accounts/${payer.account.id}`,
      });
      assert.equal(account.json().status, 'frozen');
      const shown = await testApp.injectAs(payer.customerId, { method: 'GET', url: `/api/v1/transfers/${id}` });
      assert.equal(shown.json().status, 'rejected');
      assert.equal(shown.json().review.status, 'rejected');
      assert.match(shown.json().review.message, /available again/);
      const history = await testApp.injectAs(payer.customerId, {
        method: 'GET',
        url: `/api/v1/transactions?accountId=${payer.account.id}`,
      });
      assert.equal(history.statusCode, 200, history.body);
      const lines = history.json().data as { direction: string; status: string; statusReason: string | null }[];
      assert.equal(lines.length, 2, 'the opening deposit and the rejected payment');
      const declined = lines.find((line) => line.direction === 'debit');
      assert.equal(declined?.status, 'voided');
      assert.equal(declined?.statusReason, 'review_rejected', 'the history says the bank declined it after review');
      const deposit = lines.find((line) => line.direction === 'credit');
      assert.equal(deposit?.status, 'posted');
      assert.equal(deposit?.statusReason, null, 'an ordinary line has no reason');
      const limitsAfter = await testApp.injectAs(payer.customerId, { method: 'GET', url: '/api/v1/me/limits' });
      const usedEur = (answer: typeof limitsAfter) =>
        (answer.json().limits as { currency: string; usedToday: { amount: string } }[]).find(
          (l) => l.currency === 'EUR',
        )?.usedToday.amount;
      assert.equal(usedEur(limitsBefore), '450.00', 'the held payment counted against the day’s limit');
      assert.equal(usedEur(limitsAfter), '0.00', 'the rejected payment no longer does');
      assert.deepEqual(await decisionOf(testApp, id), {
        outcome: 'hold',
        review: 'rejected',
        label: 'fraud',
        reviewed_by: analyst.id,
      });
      assert.equal(await eventCount(testApp, id, 'transfer.rejected'), 1);
      await booksBalance(testApp);
      if (database === 'postgres') await labelsReachTraining(t, testApp);
    });

  it('moves the money once when two analysts approve at the same time, and refuses unknown or never-held transfers', async (t) => {
    const testApp = await holdingApp(t, 'postgres');
    const payer = await fundedCustomer(testApp, 500_00n, 'Held Payer');
    const payee = await fundedCustomer(testApp, 0n, 'Held Payee');
    const [first, second] = await Promise.all([
      signedInOperator(testApp, ['fraud'], 'Analyst one'),
      signedInOperator(testApp, ['fraud'], 'Analyst two'),
    ]);
    const held = await pay(testApp, payer.customerId, {
      fromAccountId: payer.account.id,
      to: { iban: payee.account.iban },
      amount: eur('200.00'),
    });
    const { id } = held.json();
    const answers = await Promise.all([
      review(testApp, first, 'POST', `/fraud-reviews/${id}/approve`),
      review(testApp, second, 'POST', `/fraud-reviews/${id}/approve`),
      review(testApp, second, 'POST', `/fraud-reviews/${id}/reject`),
    ]);
    const statuses = answers.map((a) => a.statusCode);
    const approvedFirst = statuses[0] === 200 && statuses[1] === 200;
    assert.ok(approvedFirst ? statuses[2] === 409 : statuses.filter((s) => s === 409).length === 2, statuses.join());
    const payeeBalance = (await balances(testApp, payee.customerId, payee.account.id)).balance;
    assert.equal(payeeBalance, approvedFirst ? '200.00' : '0.00', 'the money moved at most once');
    await booksBalance(testApp);

    const unknown = await review(testApp, first, 'POST', '/fraud-reviews/trf_01jf8x9k2m3n4p5q6r7s8t9v0w/approve');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'held_transfer_not_found');
    const own = await fundedCustomer(testApp, 100_00n, 'Own Mover');
    const savings = await testApp.services.accounts.openAccount(own.customerId, { type: 'savings', currency: 'EUR' });
    const ownTransfer = await pay(testApp, own.customerId, {
      fromAccountId: own.account.id,
      to: { accountId: savings.id },
      amount: eur('10.00'),
    });
    // Own-account transfers are never held (and step-up exempt): the money stays with the customer.
    assert.equal(ownTransfer.statusCode, 201, ownTransfer.body);
    assert.equal(ownTransfer.json().status, 'posted');
    const badCursor = await review(testApp, first, 'GET', '/fraud-reviews?cursor=nonsense');
    assert.equal(badCursor.statusCode, 400);
  });
});
