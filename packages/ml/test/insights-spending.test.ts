import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetStatus, monthlySpend, type RecurringSeries, savingsSuggestions, unusualSpending } from '../src/index.ts';

describe('budget status', () => {
  it('warns from 80 % and says exceeded from 100 %', () => {
    assert.equal(budgetStatus(39_999n, 50_000n).level, 'ok');
    assert.equal(budgetStatus(40_000n, 50_000n).level, 'warning');
    assert.equal(budgetStatus(49_999n, 50_000n).level, 'warning');
    assert.equal(budgetStatus(50_000n, 50_000n).level, 'exceeded');
    assert.deepEqual(budgetStatus(60_000n, 50_000n), {
      spentMinor: 60_000n,
      budgetMinor: 50_000n,
      percent: 120n,
      level: 'exceeded',
      remainingMinor: -10_000n,
    });
    assert.throws(() => budgetStatus(1n, 0n), RangeError);
  });
});

describe('unusual spending', () => {
  it('flags a month far above the customer’s own months by the robust z-score', () => {
    const past = [30_000n, 32_000n, 28_000n, 31_000n, 29_000n];
    // median 30,000, MAD 1,000: z = 0.6745 · (x − 30,000) / 1,000.
    const high = unusualSpending('eating_out', past, 36_000n);
    assert.equal(high.typicalMinor, 30_000n);
    assert.ok(Math.abs(high.robustZ - 0.6745 * 6) < 1e-9);
    assert.equal(high.unusual, true);
    assert.equal(unusualSpending('eating_out', past, 34_000n).unusual, false); // z 2.7
    assert.equal(unusualSpending('eating_out', past, 10_000n).unusual, false); // below is not a warning
  });

  it('needs three months of history, and treats a constant past as a line any rise crosses', () => {
    assert.equal(unusualSpending('groceries', [20_000n, 90_000n], 200_000n).unusual, false);
    const flat = unusualSpending('subscriptions', [999n, 999n, 999n], 1_998n);
    assert.equal(flat.robustZ, Number.POSITIVE_INFINITY);
    assert.equal(flat.unusual, true);
    assert.equal(unusualSpending('subscriptions', [999n, 999n, 999n], 999n).unusual, false);
  });

  it('sums spend per category and month, refunds subtracted, income and transfers left out', () => {
    const rows = [
      { time: '2026-01-03T10:00:00Z', amountMinor: '-2500' },
      { time: '2026-01-20T10:00:00Z', amountMinor: '-1500' },
      { time: '2026-01-21T10:00:00Z', amountMinor: '500' },
      { time: '2026-02-01T10:00:00Z', amountMinor: '-4000' },
      { time: '2026-01-25T02:00:00Z', amountMinor: '250000' },
    ];
    const categories = ['shopping', 'shopping', 'shopping', 'shopping', 'income'] as const;
    const spend = monthlySpend(rows, (i) => categories[i] as (typeof categories)[number]);
    assert.deepEqual(
      [...(spend.get('shopping') ?? [])],
      [
        ['2026-01', 3500n],
        ['2026-02', 4000n],
      ],
    );
    assert.equal(spend.has('income'), false);
  });
});

describe('savings suggestions', () => {
  const subscription = (name: string, lastMinor: bigint, active = true): RecurringSeries => ({
    key: `mer_${name}`,
    counterpartyName: name,
    direction: 'out',
    channel: 'card',
    frequency: 'monthly',
    currency: 'EUR',
    averageMinor: lastMinor,
    lastMinor,
    occurrences: 4,
    transactionIds: [],
    firstDate: '2026-01-07',
    lastDate: '2026-04-07',
    nextDate: '2026-05-07',
    missed: 0,
    active,
    anchor: 7,
    movesToFriday: false,
  });

  it('names the budget overrun, the subscriptions to review and half the monthly surplus', () => {
    const suggestions = savingsSuggestions({
      budgets: new Map([
        ['eating_out', 20_000n],
        ['groceries', 40_000n],
      ]),
      spentThisMonth: new Map([
        ['eating_out', 26_550n],
        ['groceries', 35_000n],
      ]),
      series: [
        subscription('StreamFlix', -999n),
        subscription('FitClub Gym', -2990n),
        subscription('ViewMax', -1299n, false),
      ],
      monthlyNetMinor: [45_000n, 30_000n, 60_010n],
    });
    assert.deepEqual(suggestions, [
      { kind: 'over_budget', category: 'eating_out', overMinor: 6_550n },
      {
        kind: 'review_subscriptions',
        subscriptions: [
          { name: 'FitClub Gym', monthlyMinor: 2990n },
          { name: 'StreamFlix', monthlyMinor: 999n },
        ],
        monthlyMinor: 3989n,
      },
      // Average surplus 45,003.33 → 45,003; half is 22,501.5, rounded down to whole units: 22,500.
      { kind: 'save_surplus', surplusMinor: 45_003n, suggestedMinor: 22_500n },
    ]);
  });

  it('suggests nothing to a customer within budget, with one subscription and no surplus', () => {
    const none = savingsSuggestions({
      budgets: new Map([['eating_out', 20_000n]]),
      spentThisMonth: new Map([['eating_out', 19_000n]]),
      series: [subscription('StreamFlix', -999n)],
      monthlyNetMinor: [-5_000n, 2_000n],
    });
    assert.deepEqual(none, []);
  });
});
