import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageLimitMax } from '../src/platform/constants.ts';
import { createCustomer, fundedCustomer, openAccount } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * These tests are about posting, idempotency and refusals, with small amounts to payees paid for the
 * first time; the passkey approval such a first payment needs has its own tests (transfers-step-up.test.ts).
 */
const withoutNewPayeeStepUp = { env: { STEP_UP_NEW_PAYEE: 'false' } };

interface Item {
  id: string;
  accountId: string;
  direction: string;
  amount: { amount: string; currency: string };
  balanceAfter: { amount: string; currency: string } | null;
  status: string;
  description: string;
  counterparty: { name: string; maskedIban: string } | null;
  category: string | null;
  createdAt: string;
  postedAt: string | null;
}

async function history(testApp: TestApp, customerId: string, query = '') {
  const response = await testApp.injectAs(customerId, { url: `/api/v1/transactions${query}` });
  return {
    response,
    data: (response.json().data ?? []) as Item[],
    nextCursor: response.json().nextCursor as string | null,
  };
}

/** Alice (checking + savings) pays Bob; dated so filters have something to bite on. */
async function scenario(testApp: TestApp) {
  const { payments } = testApp.services;
  const alice = await createCustomer(testApp.deps.db, 'Alice Smith');
  const bob = await createCustomer(testApp.deps.db, 'Bob Jones');
  const checking = await openAccount(testApp, alice);
  const savings = await openAccount(testApp, alice, { type: 'savings' });
  const bobs = await openAccount(testApp, bob);
  const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));
  await payments.creditAccount({
    accountId: checking.id,
    amountMinor: 2_500_00n,
    currency: 'EUR',
    description: 'Salary ACME 100%',
    at: day(1),
  });
  await payments.postTransfer(alice, {
    fromAccountId: checking.id,
    to: { accountId: savings.id },
    amountMinor: 300_00n,
    currency: 'EUR',
    reference: 'Savings plan',
    at: day(2),
  });
  await payments.postTransfer(alice, {
    fromAccountId: checking.id,
    to: { iban: bobs.iban },
    amountMinor: 45_50n,
    currency: 'EUR',
    reference: 'Concert_tickets',
    at: day(3),
  });
  await payments.cardPurchase({
    accountId: checking.id,
    amountMinor: 12_99n,
    currency: 'EUR',
    description: 'Corner Grocery',
    at: day(4),
  });
  return { alice, bob, checking, savings, bobs, day };
}

describe('transaction history', () => {
  it("lists the customer's transactions across accounts, newest first, with masked counterparties", async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const { alice, checking, savings } = await scenario(testApp);
    const { response, data, nextCursor } = await history(testApp, alice);
    assert.equal(response.statusCode, 200);
    assert.equal(nextCursor, null);
    assert.deepEqual(
      data.map((i) => [i.accountId, i.direction, i.amount.amount, i.description]),
      [
        [checking.id, 'debit', '12.99', 'Corner Grocery'],
        [checking.id, 'debit', '45.50', 'Concert_tickets'],
        [savings.id, 'credit', '300.00', 'Savings plan'],
        [checking.id, 'debit', '300.00', 'Savings plan'],
        [checking.id, 'credit', '2500.00', 'Salary ACME 100%'],
      ],
    );
    const payment = data[1];
    assert.ok(payment);
    assert.match(payment.id, /^txn_/);
    assert.deepEqual(payment.balanceAfter, { amount: '2154.50', currency: 'EUR' });
    assert.equal(payment.status, 'posted');
    // Categorised on read by the insights module (docs/api/insights.md): a transfer to a person.
    assert.equal(payment.category, 'transfers');
    assert.deepEqual(
      data.map((i) => i.category),
      ['groceries', 'transfers', 'transfers', 'transfers', 'income'],
    );
    assert.equal(payment.counterparty?.name, 'B** J****');
    assert.match(payment.counterparty?.maskedIban ?? '', /^DE\*\* /);
    assert.equal(payment.createdAt, '2026-01-03T12:00:00.000Z');
    assert.equal(data[4]?.counterparty, null);
    assert.doesNotMatch(response.body, /Bob|Jones|acc_.*bobs/);
  });

  it("never shows another customer's data, and answers their account id with 404", async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const { alice, bob, bobs, checking } = await scenario(testApp);
    const bobsView = await history(testApp, bob);
    assert.deepEqual(
      bobsView.data.map((i) => [i.accountId, i.direction, i.amount.amount, i.counterparty?.name]),
      [[bobs.id, 'credit', '45.50', 'A**** S****']],
    );
    const foreign = await history(testApp, bob, `?accountId=${checking.id}`);
    assert.equal(foreign.response.statusCode, 404);
    assert.equal(foreign.response.json().code, 'account_not_found');
    const unknown = await history(testApp, alice, '?accountId=acc_01jf8x9k2m3n4p5q6r7s8t9v0w');
    assert.equal(unknown.response.statusCode, 404);
    const anonymous = await testApp.app.inject({ url: '/api/v1/transactions' });
    assert.equal(anonymous.statusCode, 401);
    assert.match(anonymous.headers['content-type'] ?? '', /problem\+json/);
  });

  it('filters by account, date range, amount range, status, direction and text', async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const { alice, savings } = await scenario(testApp);
    const amounts = async (query: string) => (await history(testApp, alice, query)).data.map((i) => i.amount.amount);
    assert.deepEqual(await amounts(`?accountId=${savings.id}`), ['300.00']);
    assert.deepEqual(await amounts('?from=2026-01-02T00:00:00Z&to=2026-01-03T12:00:00Z'), [
      '45.50',
      '300.00',
      '300.00',
    ]);
    assert.deepEqual(await amounts('?from=2026-01-02T13:00:00%2B01:00'), ['12.99', '45.50', '300.00', '300.00']);
    assert.deepEqual(await amounts('?minAmount=45.5&maxAmount=300'), ['45.50', '300.00', '300.00']);
    assert.deepEqual(await amounts('?maxAmount=12.99'), ['12.99']);
    assert.deepEqual(await amounts('?direction=credit'), ['300.00', '2500.00']);
    assert.deepEqual(await amounts('?status=posted&direction=debit&minAmount=100'), ['300.00']);
    assert.deepEqual(await amounts('?status=pending'), []);
    assert.deepEqual(await amounts('?q=grocery'), ['12.99']);
    assert.deepEqual(await amounts('?q=concert'), ['45.50']);
    // Counterparty names are shown masked ("B** J****"): searching them would spell out the full
    // name letter by letter, so only what the customer sees in full (the description) is searched.
    for (const hidden of ['jones', 'Bob Jones', 'bob', 'J', 'B** J****']) {
      assert.deepEqual(await amounts(`?q=${encodeURIComponent(hidden)}`), [], hidden);
    }
    // LIKE wildcards match literally: "%" only where a description has one, "t_c" not "tic".
    assert.deepEqual(await amounts('?q=%25'), ['2500.00']);
    assert.deepEqual(await amounts('?q=t_c'), []);
    assert.deepEqual(await amounts('?q=t_t'), ['45.50']);
  });

  it('pages with a stable cursor while new transactions arrive', async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const { customerId, account } = await fundedCustomer(testApp, 1_000_00n);
    const savings = await openAccount(testApp, customerId);
    const send = (n: number) =>
      testApp.services.payments.postTransfer(customerId, {
        fromAccountId: account.id,
        to: { accountId: savings.id },
        amountMinor: BigInt(n),
        currency: 'EUR',
        reference: `#${n}`,
      });
    for (let n = 1; n <= 6; n += 1) await send(n);
    const before = (await history(testApp, customerId, `?limit=${pageLimitMax}`)).data.map((i) => i.id);
    assert.equal(before.length, 13);
    const walked: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const result = await history(testApp, customerId, cursor ? `?limit=4&cursor=${cursor}` : '?limit=4');
      assert.equal(result.response.statusCode, 200);
      walked.push(...result.data.map((i) => i.id));
      cursor = result.nextCursor;
      page += 1;
      if (page === 1) await Promise.all([send(100), send(101)]);
    } while (cursor);
    assert.deepEqual(walked, before);
  });

  it('refuses malformed cursors, limits and filters with 400 and a pointer', async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const customerId = await createCustomer(testApp.deps.db);
    const cases: [string, string][] = [
      ['?cursor=garbage', 'invalid_cursor'],
      [
        `?cursor=${Buffer.from('2026-02-31T00:00:00.000000|txn_01jf8x9k2m3n4p5q6r7s8t9v0w').toString('base64url')}`,
        'invalid_cursor',
      ],
      [`?limit=${pageLimitMax + 1}`, 'validation_failed'],
      ['?limit=0', 'validation_failed'],
      ['?from=yesterday', 'validation_failed'],
      ['?from=2026-12-31T23:59:60Z', 'validation_failed'],
      ['?to=2026-12-31T20:59:60-03:00', 'validation_failed'],
      ['?from=2024-01-01T00:00:00%2B05', 'validation_failed'],
      ['?minAmount=-5', 'validation_failed'],
      ['?minAmount=1e5', 'validation_failed'],
      ['?status=lost', 'validation_failed'],
      ['?accountId=nope', 'validation_failed'],
      [`?q=${'x'.repeat(101)}`, 'validation_failed'],
      ['?colour=blue', 'validation_failed'],
      ['?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'invalid_date_range'],
      ['?minAmount=10&maxAmount=5', 'invalid_amount_range'],
      ['?from=0000-01-01T00:00:00Z', 'invalid_date_range'],
      ['?to=9999-12-31T23:59:59-01:00', 'invalid_date_range'],
      [
        `?cursor=${Buffer.from('0000-01-01T00:00:00.000000|txn_01jf8x9k2m3n4p5q6r7s8t9v0w').toString('base64url')}`,
        'invalid_cursor',
      ],
    ];
    for (const [query, code] of cases) {
      const { response } = await history(testApp, customerId, query);
      assert.equal(response.statusCode, 400, query);
      assert.equal(response.json().code, code, query);
      assert.ok(response.json().errors.length > 0, query);
    }
    const empty = await history(testApp, customerId);
    assert.deepEqual(empty.response.json(), { data: [], nextCursor: null });
  });
});
