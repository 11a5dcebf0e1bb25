import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInsightsService } from '../src/insights/index.ts';
import { fundedCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp, testDatabaseKinds } from './helper.ts';

/**
 * Recurring payments, upcoming bills, the forecast and budgets on a pinned clock (20 November
 * 2026, noon UTC), with answers worked out by hand from the lines below.
 */
const now = new Date('2026-11-20T12:00:00Z');
const eur = (amount: string) => ({ amount, currency: 'EUR' as const });

async function household(testApp: TestApp) {
  const { customerId, account } = await fundedCustomer(testApp, 5_000_00n);
  const landlord = await fundedCustomer(testApp, 1_00n, 'Leon Virtanen');
  const card = (amountMinor: bigint, description: string, at: string) =>
    testApp.services.payments.cardPurchase({
      accountId: account.id,
      amountMinor,
      currency: 'EUR',
      description,
      at: new Date(at),
    });
  // StreamFlix 9.99 on the 5th, July to November: a subscription, next due 5 December.
  for (const month of ['07', '08', '09', '10', '11']) await card(999n, 'StreamFlix', `2026-${month}-05T08:00:00Z`);
  // Rent to a person on the 1st, August to November: next due 1 December.
  for (const month of ['08', '09', '10', '11']) {
    await testApp.services.payments.postTransfer(customerId, {
      fromAccountId: account.id,
      to: { iban: landlord.account.iban },
      amountMinor: 500_00n,
      currency: 'EUR',
      reference: 'Rent',
      at: new Date(`2026-${month}-01T07:00:00Z`),
    });
  }
  // A gym paid April to June, then no more: a series, inactive after missing July and August.
  for (const month of ['04', '05', '06']) await card(30_00n, 'FitClub Mitte', `2026-${month}-10T08:00:00Z`);
  // 5,000.00 − 5 × 9.99 − 4 × 500.00 − 3 × 30.00
  return { customerId, accountId: account.id, balance: '2860.05' };
}

for (const kind of testDatabaseKinds) {
  describe(`insights on a pinned clock (${kind})`, () => {
    it('finds the recurring payments, the bills of the next 30 days, the forecast and a budget at 83 %', async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { customerId, accountId, balance } = await household(testApp);
      const insights = createInsightsService(testApp.deps, { now: () => now });

      const recurring = await insights.recurringPayments(customerId);
      const byName = new Map(recurring.map((r) => [r.name, r]));
      assert.deepEqual([...byName.keys()].sort(), ['FitClub Mitte', 'L*** V*******', 'StreamFlix']);
      const { id: streamId, ...stream } = byName.get('StreamFlix') ?? { id: '' };
      assert.match(streamId, /^rec_[0-9a-f]{24}$/);
      assert.deepEqual(stream, {
        name: 'StreamFlix',
        category: 'subscriptions',
        frequency: 'monthly',
        direction: 'out',
        averageAmount: eur('9.99'),
        lastAmount: eur('9.99'),
        lastDate: '2026-11-05',
        nextDate: '2026-12-05',
        active: true,
        accountId,
      });
      const rent = byName.get('L*** V*******');
      assert.equal(rent?.category, 'rent_housing');
      assert.equal(rent?.nextDate, '2026-12-01');
      assert.deepEqual(rent?.lastAmount, eur('500.00'));
      assert.equal(byName.get('FitClub Mitte')?.active, false);
      // The ids stay the same from one read to the next.
      assert.deepEqual(
        (await insights.recurringPayments(customerId)).map((r) => r.id).sort(),
        recurring.map((r) => r.id).sort(),
      );

      assert.deepEqual(await insights.upcomingBills(customerId, 30), [
        { date: '2026-12-01', name: 'L*** V*******', amount: eur('500.00'), category: 'rent_housing', accountId },
        { date: '2026-12-05', name: 'StreamFlix', amount: eur('9.99'), category: 'subscriptions', accountId },
      ]);
      // Today and the 11 days after it: 1 December is the twelfth day.
      assert.deepEqual(await insights.upcomingBills(customerId, 11), []);
      assert.deepEqual(await insights.upcomingBills(customerId, 12), [
        { date: '2026-12-01', name: 'L*** V*******', amount: eur('500.00'), category: 'rent_housing', accountId },
      ]);

      const forecast = await insights.forecast(customerId, accountId);
      assert.equal(forecast.days.length, 30);
      const expected = forecast.days.map(({ date }) => ({
        date,
        balance: eur(date < '2026-12-01' ? balance : date < '2026-12-05' ? '2360.05' : '2350.06'),
      }));
      assert.deepEqual(forecast.days, expected);
      assert.equal(forecast.days[0]?.date, '2026-11-21');
      assert.equal(forecast.days.at(-1)?.date, '2026-12-20');

      const budget = await insights.putBudget(customerId, 'rent_housing', eur('600.00'));
      assert.deepEqual(budget, {
        category: 'rent_housing',
        amount: eur('600.00'),
        spent: eur('500.00'),
        level: 'warning',
        share: 0.833333,
      });
    });
  });
}

describe('recurring detection on a busy account', () => {
  it('leaves a merchant of more than 200 lines out of the search for a rhythm (a cost bound), and still counts its spending', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account } = await fundedCustomer(testApp, 10_000_00n);
    for (const month of ['08', '09', '10', '11']) {
      await testApp.services.payments.cardPurchase({
        accountId: account.id,
        amountMinor: 999n,
        currency: 'EUR',
        description: 'StreamFlix',
        at: new Date(`2026-${month}-05T08:00:00Z`),
      });
    }
    // 242 purchases of 5.00 a day, February to September, then 20.00 every Sunday from 4 October
    // to 15 November: a weekly rhythm the detector would find, at a merchant it does not search.
    await testApp.deps.db.query(
      `INSERT INTO account_transactions (id, customer_id, account_id, entry_id, direction, amount_minor, currency,
         currency_exponent, status, description, created_at)
       SELECT 'txn_busy' || g, $1, $2, 'jnl_busy' || g, 'debit', 500, 'EUR', 2, 'posted', 'FreshMart Berlin',
         timestamptz '2026-02-01 09:00Z' + make_interval(days => g)
       FROM generate_series(0, 241) g
       UNION ALL
       SELECT 'txn_week' || k, $1, $2, 'jnl_week' || k, 'debit', 2000, 'EUR', 2, 'posted', 'FreshMart Berlin',
         timestamptz '2026-10-04 09:00Z' + make_interval(days => 7 * k)
       FROM generate_series(0, 6) k`,
      [customerId, account.id],
    );
    const insights = createInsightsService(testApp.deps, { now: () => now });
    const recurring = await insights.recurringPayments(customerId);
    assert.deepEqual(
      recurring.map((r) => [r.name, r.frequency, r.nextDate]),
      [['StreamFlix', 'monthly', '2026-12-05']],
    );
    // November: the Sundays 1, 8 and 15, at 20.00.
    const spending = await insights.spending(customerId, { month: '2026-11' });
    assert.deepEqual(spending.categories.find((c) => c.category === 'groceries')?.amount, eur('60.00'));
  });
});
