import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCategoriser, refreshCustomerInsights } from '../src/insights/index.ts';
import { newId } from '../src/platform/ids.ts';
import { fundedCustomer, openAccount } from './fixtures.ts';
import { buildTestApp, type TestApp, testDatabaseKinds } from './helper.ts';

/**
 * The insights routes over HTTP (docs/api/insights.md): known answers where the month is given,
 * every bad input refused with its code and nothing changed, other customers' things answered 404.
 * Answers that depend on today's date are in insights-known-answers.test.ts, on a pinned clock.
 */
const eur = (amount: string) => ({ amount, currency: 'EUR' });

async function purchase(testApp: TestApp, accountId: string, amountMinor: bigint, description: string, at?: string) {
  await testApp.services.payments.cardPurchase({
    accountId,
    amountMinor,
    currency: 'EUR',
    description,
    ...(at ? { at: new Date(at) } : {}),
  });
}

async function countOf(testApp: TestApp, table: string): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n ?? 0;
}

function assertProblem(
  response: { statusCode: number; json(): Record<string, unknown> },
  status: number,
  code: string,
  pointer?: string,
) {
  assert.equal(response.statusCode, status, JSON.stringify(response.json()));
  const body = response.json() as { code: string; errors?: { pointer: string }[] };
  assert.equal(body.code, code);
  if (pointer)
    assert.ok(
      body.errors?.some((e) => e.pointer === pointer),
      `names ${pointer}: ${JSON.stringify(body)}`,
    );
}

describe('GET /api/v1/spending', () => {
  it("sums a month's money out by category against the month before, leaving out own-account transfers and money in", async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account } = await fundedCustomer(testApp, 5_000_00n);
    const savings = await openAccount(testApp, customerId, { type: 'savings' });
    await purchase(testApp, account.id, 40_00n, 'FreshMart Berlin', '2026-09-10T12:00:00Z');
    await purchase(testApp, account.id, 10_00n, 'Apotheke am Markt', '2026-09-12T12:00:00Z');
    await purchase(testApp, account.id, 30_00n, 'FreshMart Berlin', '2026-10-03T12:00:00Z');
    await purchase(testApp, account.id, 10_20n, 'Apotheke am Markt', '2026-10-05T12:00:00Z');
    await purchase(testApp, account.id, 30_00n, 'FreshMart Berlin', '2026-10-17T12:00:00Z');
    await purchase(testApp, account.id, 45_00n, 'Stadtwerke Strom', '2026-10-20T12:00:00Z');
    const transfer = (
      to: { accountId: string } | { iban: string },
      amountMinor: bigint,
      reference: string,
      at: string,
    ) =>
      testApp.services.payments.postTransfer(customerId, {
        fromAccountId: account.id,
        to,
        amountMinor,
        currency: 'EUR',
        reference,
        at: new Date(at),
      });
    const landlord = await fundedCustomer(testApp, 1_00n, 'Leon Virtanen');
    await transfer({ iban: landlord.account.iban }, 500_00n, 'Rent', '2026-10-01T09:00:00Z');
    await transfer({ accountId: savings.id }, 100_00n, 'Rent', '2026-10-08T09:00:00Z');
    await testApp.services.payments.creditAccount({
      accountId: account.id,
      amountMinor: 2_000_00n,
      currency: 'EUR',
      description: 'Salary',
      at: new Date('2026-10-01T02:00:00Z'),
    });

    const response = await testApp.injectAs(customerId, { url: '/api/v1/spending?month=2026-10&currency=EUR' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), {
      month: '2026-10',
      currency: 'EUR',
      total: eur('615.20'),
      categories: [
        { category: 'rent_housing', amount: eur('500.00'), share: 0.812743, previous: eur('0.00'), trend: 'up' },
        { category: 'groceries', amount: eur('60.00'), share: 0.097529, previous: eur('40.00'), trend: 'up' },
        { category: 'bills_utilities', amount: eur('45.00'), share: 0.073146, previous: eur('0.00'), trend: 'up' },
        { category: 'health', amount: eur('10.20'), share: 0.016579, previous: eur('10.00'), trend: 'flat' },
      ],
      months: [
        { month: '2026-05', total: eur('0.00') },
        { month: '2026-06', total: eur('0.00') },
        { month: '2026-07', total: eur('0.00') },
        { month: '2026-08', total: eur('0.00') },
        { month: '2026-09', total: eur('50.00') },
        { month: '2026-10', total: eur('615.20') },
      ],
    });
    // Another currency has nothing; the month before shows September against August.
    const gbp = await testApp.injectAs(customerId, { url: '/api/v1/spending?month=2026-10&currency=GBP' });
    assert.deepEqual(gbp.json().total, { amount: '0.00', currency: 'GBP' });
    assert.deepEqual(gbp.json().categories, []);
    const september = await testApp.injectAs(customerId, { url: '/api/v1/spending?month=2026-09' });
    assert.deepEqual(
      september.json().categories.map((c: { category: string; trend: string }) => [c.category, c.trend]),
      [
        ['groceries', 'up'],
        ['health', 'up'],
      ],
    );
    // Someone else's spending is not the caller's.
    const other = await fundedCustomer(testApp, 10_00n);
    const theirs = await testApp.injectAs(other.customerId, { url: '/api/v1/spending?month=2026-10' });
    assert.equal(theirs.statusCode, 200, theirs.body);
    assert.deepEqual(theirs.json().total, eur('0.00'));
  });

  it('refuses a month that is not YYYY-MM and an unknown currency', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId } = await fundedCustomer(testApp);
    for (const month of ['2026-13', '2026-00', '0000-01', '0001-01', '9999-12']) {
      const response = await testApp.injectAs(customerId, { url: `/api/v1/spending?month=${month}` });
      assertProblem(response, 400, 'invalid_month', '/query/month');
    }
    for (const month of ['2026-1', 'december', '2026-12-01', '']) {
      const response = await testApp.injectAs(customerId, { url: `/api/v1/spending?month=${month}` });
      assertProblem(response, 400, 'validation_failed', '/query/month');
    }
    const currency = await testApp.injectAs(customerId, { url: '/api/v1/spending?currency=XXX' });
    assertProblem(currency, 400, 'validation_failed', '/query/currency');
    // The edges of what can be read answer, with nothing in them.
    for (const month of ['1970-01', '9998-12']) {
      const edge = await testApp.injectAs(customerId, { url: `/api/v1/spending?month=${month}` });
      assert.equal(edge.statusCode, 200, edge.body);
      assert.deepEqual(edge.json().total, eur('0.00'));
    }
    const current = await testApp.injectAs(customerId, { url: '/api/v1/spending' });
    assert.equal(current.statusCode, 200);
    assert.equal(current.json().month, new Date().toISOString().slice(0, 7));
    assert.equal(current.json().months.length, 6);
  });
});

describe('budgets', () => {
  it("sets, lists and removes a budget, with this month's spending against it", async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account } = await fundedCustomer(testApp, 500_00n);
    await purchase(testApp, account.id, 85_00n, 'FreshMart Berlin');
    const put = await testApp.injectAs(customerId, {
      method: 'PUT',
      url: '/api/v1/budgets/groceries',
      payload: { amount: eur('100.00') },
    });
    assert.equal(put.statusCode, 200, put.body);
    const groceries = {
      category: 'groceries',
      amount: eur('100.00'),
      spent: eur('85.00'),
      level: 'warning',
      share: 0.85,
    };
    assert.deepEqual(put.json(), groceries);
    // Replacing it is the same call; a second currency is a second budget.
    const again = await testApp.injectAs(customerId, {
      method: 'PUT',
      url: '/api/v1/budgets/groceries',
      payload: { amount: eur('80.00') },
    });
    assert.deepEqual(again.json(), { ...groceries, amount: eur('80.00'), level: 'exceeded', share: 1.0625 });
    await testApp.injectAs(customerId, {
      method: 'PUT',
      url: '/api/v1/budgets/groceries',
      payload: { amount: { amount: '70.00', currency: 'GBP' } },
    });
    const list = await testApp.injectAs(customerId, { url: '/api/v1/budgets' });
    assert.deepEqual(list.json(), {
      data: [
        { ...groceries, amount: eur('80.00'), level: 'exceeded', share: 1.0625 },
        {
          category: 'groceries',
          amount: { amount: '70.00', currency: 'GBP' },
          spent: { amount: '0.00', currency: 'GBP' },
          level: 'ok',
          share: 0,
        },
      ],
    });
    const removed = await testApp.injectAs(customerId, {
      method: 'DELETE',
      url: '/api/v1/budgets/groceries?currency=GBP',
    });
    assert.equal(removed.statusCode, 204);
    assert.equal(removed.body, '');
    const gone = await testApp.injectAs(customerId, {
      method: 'DELETE',
      url: '/api/v1/budgets/groceries?currency=GBP',
    });
    assertProblem(gone, 404, 'budget_not_found');
    // Another customer sees none of them and cannot remove them.
    const other = await fundedCustomer(testApp);
    assert.deepEqual((await testApp.injectAs(other.customerId, { url: '/api/v1/budgets' })).json(), { data: [] });
    const theirs = await testApp.injectAs(other.customerId, { method: 'DELETE', url: '/api/v1/budgets/groceries' });
    assertProblem(theirs, 404, 'budget_not_found');
    assert.equal(await countOf(testApp, 'budgets'), 1);
  });

  it('refuses an unknown category, a negative, zero or malformed amount, and changes nothing', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId } = await fundedCustomer(testApp);
    const put = (category: string, payload: unknown) =>
      testApp.injectAs(customerId, { method: 'PUT', url: `/api/v1/budgets/${category}`, payload: payload as object });
    assertProblem(await put('nothing', { amount: eur('10.00') }), 400, 'unknown_category', '/params/category');
    assertProblem(await put('Groceries', { amount: eur('10.00') }), 400, 'validation_failed', '/params/category');
    assertProblem(await put('groceries', { amount: eur('-5.00') }), 400, 'amount_not_positive', '/body/amount/amount');
    assertProblem(await put('groceries', { amount: eur('0.00') }), 400, 'amount_not_positive', '/body/amount/amount');
    assertProblem(await put('groceries', { amount: eur('1.234') }), 400, 'amount_too_precise', '/body/amount/amount');
    assertProblem(await put('groceries', { amount: eur('ten') }), 400, 'amount_malformed', '/body/amount/amount');
    assertProblem(await put('groceries', { amount: { amount: '1.00', currency: 'XXX' } }), 400, 'validation_failed');
    assertProblem(await put('groceries', { amount: 10 }), 400, 'validation_failed', '/body/amount');
    assertProblem(await put('groceries', {}), 400, 'validation_failed');
    const remove = await testApp.injectAs(customerId, { method: 'DELETE', url: '/api/v1/budgets/nothing' });
    assertProblem(remove, 400, 'unknown_category', '/params/category');
    assert.equal(await countOf(testApp, 'budgets'), 0);
  });
});

for (const kind of testDatabaseKinds) {
  describe(`category corrections (${kind})`, () => {
    it("keeps a correction for the merchant: this line, its other lines and later ones show it; the history's categories are filled", async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { customerId, account } = await fundedCustomer(testApp, 500_00n);
      await purchase(testApp, account.id, 18_50n, 'Pizzeria Napoli', '2026-11-02T19:00:00Z');
      await purchase(testApp, account.id, 21_00n, 'Pizzeria Napoli', '2026-11-09T19:00:00Z');
      await purchase(testApp, account.id, 12_00n, 'FreshMart Berlin', '2026-11-10T19:00:00Z');
      const history = async () =>
        (await testApp.injectAs(customerId, { url: '/api/v1/transactions' })).json().data as {
          id: string;
          description: string;
          category: string | null;
        }[];
      const before = await history();
      assert.ok(
        before.every((line) => line.category !== null),
        'every line has a category',
      );
      const pizza = before.filter((line) => line.description === 'Pizzeria Napoli');
      assert.equal(pizza.length, 2);
      const corrected = pizza[0]?.id ?? '';
      const put = await testApp.injectAs(customerId, {
        method: 'PUT',
        url: `/api/v1/transactions/${corrected}/category`,
        payload: { category: 'eating_out' },
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json(), { transactionId: corrected, category: 'eating_out', source: 'override' });
      await purchase(testApp, account.id, 25_00n, 'PIZZERIA NAPOLI 0042', '2026-11-16T19:00:00Z');
      const after = await history();
      assert.deepEqual(
        after.filter((line) => /pizzeria/i.test(line.description)).map((line) => line.category),
        ['eating_out', 'eating_out', 'eating_out'],
      );
      assert.equal(after.find((line) => line.description === 'FreshMart Berlin')?.category, 'groceries');
      // Stored for the customer and merchant with the line it was learnt from, not the booking text.
      const { rows } = await testApp.deps.db.query<Record<string, unknown>>(
        'SELECT * FROM category_corrections WHERE customer_id = $1',
        [customerId],
      );
      assert.equal(rows.length, 1);
      assert.deepEqual(Object.keys(rows[0] ?? {}).sort(), [
        'category',
        'created_at',
        'customer_id',
        'merchant_key',
        'model_category',
        'model_version',
        'transaction_id',
      ]);
      assert.equal(rows[0]?.transaction_id, corrected);
      assert.match(String(rows[0]?.merchant_key), /^mk_[0-9a-f]{24}$/);
      // Correcting it again replaces it, and the same request answers the same.
      for (let i = 0; i < 2; i += 1) {
        const replaced = await testApp.injectAs(customerId, {
          method: 'PUT',
          url: `/api/v1/transactions/${corrected}/category`,
          payload: { category: 'entertainment' },
        });
        assert.deepEqual(replaced.json(), { transactionId: corrected, category: 'entertainment', source: 'override' });
      }
      assert.equal(await countOf(testApp, 'category_corrections'), 1);
      const spending = await testApp.injectAs(customerId, { url: '/api/v1/spending?month=2026-11' });
      assert.deepEqual(
        spending
          .json()
          .categories.map((c: { category: string; amount: { amount: string } }) => [c.category, c.amount.amount]),
        [
          ['entertainment', '64.50'],
          ['groceries', '12.00'],
        ],
      );
    });

    it("refuses another customer's transaction, an unknown one and an unknown category, changing nothing", async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { customerId, account } = await fundedCustomer(testApp, 100_00n);
      await purchase(testApp, account.id, 5_00n, 'FreshMart Berlin');
      const other = await fundedCustomer(testApp, 100_00n);
      const { rows } = await testApp.deps.db.query<{ id: string }>(
        'SELECT id FROM account_transactions WHERE customer_id = $1',
        [customerId],
      );
      const mine = rows[0]?.id ?? '';
      const put = (who: string, id: string, payload: object) =>
        testApp.injectAs(who, { method: 'PUT', url: `/api/v1/transactions/${id}/category`, payload });
      assertProblem(await put(other.customerId, mine, { category: 'travel' }), 404, 'transaction_not_found');
      assertProblem(
        await put(customerId, newId('accountTransaction'), { category: 'travel' }),
        404,
        'transaction_not_found',
      );
      assertProblem(await put(customerId, mine, { category: 'holidays' }), 400, 'unknown_category', '/body/category');
      assertProblem(
        await put(customerId, mine, { category: 'travel', note: 'x' }),
        400,
        'validation_failed',
        '/body/note',
      );
      assertProblem(await put(customerId, 'txn_123', { category: 'travel' }), 400, 'validation_failed', '/params/id');
      assert.equal(await countOf(testApp, 'category_corrections'), 0);
    });
  });
}

describe('recurring payments, upcoming bills and the forecast', () => {
  it('answers their shapes, bounds `days`, and hides other customers’ accounts', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account } = await fundedCustomer(testApp, 100_00n);
    const other = await fundedCustomer(testApp, 100_00n);
    assert.deepEqual((await testApp.injectAs(customerId, { url: '/api/v1/recurring-payments' })).json(), { data: [] });
    assert.deepEqual((await testApp.injectAs(customerId, { url: '/api/v1/upcoming-bills' })).json(), { data: [] });
    for (const days of ['0', '91', '-1', 'ten']) {
      const response = await testApp.injectAs(customerId, { url: `/api/v1/upcoming-bills?days=${days}` });
      assertProblem(response, 400, 'validation_failed', '/query/days');
    }
    const forecast = await testApp.injectAs(customerId, { url: `/api/v1/accounts/${account.id}/forecast` });
    assert.equal(forecast.statusCode, 200);
    assert.equal(forecast.json().days.length, 30);
    assert.deepEqual(forecast.json().days[0].balance, eur('100.00'));
    const theirs = await testApp.injectAs(customerId, { url: `/api/v1/accounts/${other.account.id}/forecast` });
    assertProblem(theirs, 404, 'account_not_found');
    const unknown = await testApp.injectAs(customerId, { url: `/api/v1/accounts/${newId('account')}/forecast` });
    assertProblem(unknown, 404, 'account_not_found');
    const malformed = await testApp.injectAs(customerId, { url: '/api/v1/accounts/acc_1/forecast' });
    assertProblem(malformed, 400, 'validation_failed', '/params/id');
  });
});

for (const kind of testDatabaseKinds) {
  describe(`insights (${kind})`, () => {
    it('lists them newest first in pages, dismisses once, and filters dismissed ones', async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { db } = testApp.deps;
      const { customerId, account } = await fundedCustomer(testApp, 500_00n);
      await purchase(testApp, account.id, 90_00n, 'FreshMart Berlin');
      await purchase(testApp, account.id, 20_00n, 'Apotheke am Markt');
      for (const category of ['groceries', 'health']) {
        await testApp.injectAs(customerId, {
          method: 'PUT',
          url: `/api/v1/budgets/${category}`,
          payload: { amount: eur(category === 'groceries' ? '100.00' : '10.00') },
        });
      }
      const model = await loadCategoriser();
      await db.transaction((tx) => refreshCustomerInsights(tx, model, customerId, new Date()));
      const page = async (query: string) =>
        (await testApp.injectAs(customerId, { url: `/api/v1/insights${query}` })).json();
      const all = await page('');
      const types = all.data.map((i: { type: string }) => i.type).sort();
      assert.deepEqual(types, ['budget_exceeded', 'budget_warning', 'savings_suggestion']);
      const warning = all.data.find((i: { type: string }) => i.type === 'budget_warning');
      assert.match(warning.id, /^ins_/);
      assert.equal(warning.messageKey, 'insights.budget_warning');
      assert.equal(warning.message, 'You have spent 90.00 EUR of your 100.00 EUR groceries budget this month (90 %).');
      assert.equal(warning.modelVersion, 'categoriser@1.0.0');
      assert.equal(warning.dismissedAt, null);
      // Pages of one, newest first, with no repeats.
      const first = await page('?limit=2');
      assert.equal(first.data.length, 2);
      const second = await page(`?limit=2&cursor=${first.nextCursor}`);
      assert.equal(second.data.length, 1);
      assert.equal(second.nextCursor, null);
      assert.deepEqual(
        [...first.data, ...second.data].map((i: { id: string }) => i.id),
        all.data.map((i: { id: string }) => i.id),
      );
      // Dismissing twice answers the same.
      const dismiss = () =>
        testApp.injectAs(customerId, { method: 'POST', url: `/api/v1/insights/${warning.id}/dismiss` });
      const once = await dismiss();
      assert.equal(once.statusCode, 200, once.body);
      assert.ok(once.json().dismissedAt);
      assert.deepEqual((await dismiss()).json(), once.json());
      assert.equal((await page('')).data.length, 2);
      assert.deepEqual(
        (await page('?dismissed=true')).data.map((i: { id: string }) => i.id),
        [warning.id],
      );
      // A second run writes nothing it already wrote, dismissed or not.
      await db.transaction((tx) => refreshCustomerInsights(tx, model, customerId, new Date()));
      assert.equal(await countOf(testApp, 'insights'), 3);
      // Another customer's insight is not found; a forged cursor is the client's mistake.
      const other = await fundedCustomer(testApp);
      const theirs = await testApp.injectAs(other.customerId, {
        method: 'POST',
        url: `/api/v1/insights/${warning.id}/dismiss`,
      });
      assertProblem(theirs, 404, 'insight_not_found');
      assertProblem(
        await testApp.injectAs(customerId, { url: '/api/v1/insights?cursor=bm90LWEtY3Vyc29y' }),
        400,
        'invalid_cursor',
      );
      assertProblem(
        await testApp.injectAs(customerId, { url: '/api/v1/insights?dismissed=maybe' }),
        400,
        'validation_failed',
      );
    });
  });
}

describe('the GDPR export', () => {
  it("carries the customer's budgets, corrections and insights", async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account } = await fundedCustomer(testApp, 500_00n);
    await purchase(testApp, account.id, 95_00n, 'FreshMart Berlin');
    await testApp.injectAs(customerId, {
      method: 'PUT',
      url: '/api/v1/budgets/groceries',
      payload: { amount: eur('100.00') },
    });
    const { rows } = await testApp.deps.db.query<{ id: string }>(
      "SELECT id FROM account_transactions WHERE customer_id = $1 AND direction = 'debit'",
      [customerId],
    );
    const lineId = rows[0]?.id ?? '';
    await testApp.injectAs(customerId, {
      method: 'PUT',
      url: `/api/v1/transactions/${lineId}/category`,
      payload: { category: 'shopping' },
    });
    await testApp.injectAs(customerId, {
      method: 'PUT',
      url: '/api/v1/budgets/shopping',
      payload: { amount: eur('100.00') },
    });
    const model = await loadCategoriser();
    await testApp.deps.db.transaction((tx) => refreshCustomerInsights(tx, model, customerId, new Date()));
    const exported = await testApp.injectAs(customerId, { url: '/api/v1/customers/me/export' });
    assert.equal(exported.statusCode, 200, exported.body);
    const section = exported.json().insights;
    assert.deepEqual(section.budgets, [
      { category: 'groceries', amount: eur('100.00') },
      { category: 'shopping', amount: eur('100.00') },
    ]);
    assert.deepEqual(
      section.categoryCorrections.map((c: { transactionId: string; category: string }) => [
        c.transactionId,
        c.category,
      ]),
      [[lineId, 'shopping']],
    );
    assert.deepEqual(
      section.insights.map((i: { type: string }) => i.type),
      ['budget_warning'],
    );
    assert.match(section.insights[0].message, /95.00 EUR of your 100.00 EUR shopping budget/);
  });
});
