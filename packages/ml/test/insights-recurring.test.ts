import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  detectRecurring,
  type GenerationOptions,
  generateTransactions,
  recurringOf,
  recurringTruth,
  subscriptionKeys,
  type Transaction,
  upcomingBills,
} from '../src/index.ts';

let n = 0;
function booking(time: string, amountMinor: number, fields: Partial<Transaction> = {}): Transaction {
  n++;
  return {
    v: 1,
    id: `txn_${String(n).padStart(6, '0')}`,
    time: time.length === 10 ? `${time}T06:00:00Z` : time,
    customer: 'cus_1',
    account: 'acc_1',
    counterparty: 'mer_streamflix',
    counterpartyName: 'StreamFlix',
    amountMinor: String(amountMinor),
    currency: 'EUR',
    channel: 'card',
    device: null,
    mcc: '4899',
    description: 'StreamFlix',
    label: null,
    ...fields,
  };
}

const grocer = { counterparty: 'mer_grocer', counterpartyName: 'FreshMart', mcc: '5411', description: 'FreshMart' };
/** A shop visited every two to five days at varying amounts: never a series. */
const groceries = Array.from({ length: 35 }, (_, i) =>
  booking(`2026-01-${String(1 + ((i * 37) % 28)).padStart(2, '0')}`, -(1800 + ((i * 613) % 2400)), grocer),
).concat(
  Array.from({ length: 30 }, (_, i) =>
    booking(`2026-03-${String(1 + ((i * 11) % 28)).padStart(2, '0')}`, -(1500 + ((i * 977) % 3000)), grocer),
  ),
);
const streamflix = ['2026-01-07', '2026-02-07', '2026-03-07', '2026-04-07'].map((d) => booking(d, -999));

describe('recurring payments', () => {
  it('finds a 9.99 monthly subscription with its next date, among shop visits that are not a series', () => {
    const series = detectRecurring([...groceries, ...streamflix], '2026-04-20');
    assert.equal(series.length, 1, JSON.stringify(series.map((s) => s.counterpartyName)));
    const [s] = series;
    assert.equal(s?.key, 'mer_streamflix');
    assert.equal(s?.frequency, 'monthly');
    assert.equal(s?.direction, 'out');
    assert.equal(s?.averageMinor, -999n);
    assert.equal(s?.lastMinor, -999n);
    assert.equal(s?.occurrences, 4);
    assert.equal(s?.lastDate, '2026-04-07');
    assert.equal(s?.nextDate, '2026-05-07');
    assert.equal(s?.active, true);
    assert.deepEqual(
      s?.transactionIds,
      streamflix.map((r) => r.id),
    );
    assert.deepEqual([...subscriptionKeys(series)], ['mer_streamflix']);
  });

  it('lists the upcoming bills of the next N days, and only those', () => {
    const rent = ['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01'].map((d) =>
      booking(d, -80000, {
        counterparty: 'ext_landlord',
        counterpartyName: 'Home Estates AG',
        channel: 'standing_order',
        mcc: null,
        description: 'Rent',
      }),
    );
    const series = detectRecurring([...streamflix, ...rent], '2026-04-20');
    assert.equal(series.length, 2);
    const bills = upcomingBills(series, '2026-04-20', 30);
    assert.deepEqual(
      bills.map((b) => [b.date, b.counterpartyName, b.amountMinor]),
      [
        ['2026-05-01', 'Home Estates AG', -80000n],
        ['2026-05-07', 'StreamFlix', -999n],
      ],
    );
    assert.deepEqual(upcomingBills(series, '2026-04-20', 10), []);
    assert.throws(() => upcomingBills(series, '2026-04-20', 367), RangeError);
  });

  it('calls a series inactive once it missed two expected dates, not after one', () => {
    const early = streamflix.slice(0, 3); // last paid 2026-03-07
    assert.equal(detectRecurring(early, '2026-04-20')[0]?.active, true); // missed 2026-04-07 only
    const [stopped] = detectRecurring(early, '2026-05-20'); // missed 04-07 and 05-07
    assert.equal(stopped?.missed, 2);
    assert.equal(stopped?.active, false);
    assert.deepEqual(upcomingBills([stopped as NonNullable<typeof stopped>], '2026-05-20', 60), []);
  });

  it('learns that a salary due on a weekend is paid the Friday before, and projects it so', () => {
    const employer = {
      counterparty: 'ext_employer',
      counterpartyName: 'Delta Software BV',
      channel: 'transfer' as const,
      mcc: null,
    };
    // Due on the 31st (clamped): Jan 31 and Feb 28 2026 are Saturdays, paid on Friday the 30th and 27th.
    const salary = ['2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30'].map((d) =>
      booking(d, 250000, { ...employer, description: `Salary ${d.slice(0, 7)}` }),
    );
    const [s] = detectRecurring(salary, '2026-05-05');
    assert.equal(s?.direction, 'in');
    assert.equal(s?.anchor, 31);
    assert.equal(s?.movesToFriday, true);
    assert.equal(s?.nextDate, '2026-05-29'); // May 31 2026 is a Sunday
  });

  it('finds weekly and yearly series, and not a one-off invoice to the landlord', () => {
    const cleaner = ['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26', '2026-02-02'].map((d) =>
      booking(d, -4000, {
        counterparty: 'ext_cleaner',
        counterpartyName: 'Anna Weber',
        channel: 'transfer',
        mcc: null,
        description: 'Cleaning',
      }),
    );
    const insurance = ['2024-03-15', '2025-03-15', '2026-03-15'].map((d) =>
      booking(d, -32000, {
        counterparty: 'ext_ins',
        counterpartyName: 'Allsure',
        channel: 'direct_debit',
        mcc: '6300',
        description: 'Allsure',
      }),
    );
    const landlord = { counterparty: 'ext_landlord', counterpartyName: 'Home Estates AG', mcc: null };
    const rent = ['2026-01-01', '2026-02-01', '2026-03-01'].map((d) =>
      booking(d, -80000, { ...landlord, channel: 'standing_order', description: 'Rent' }),
    );
    const invoice = booking('2026-02-14', -78000, { ...landlord, channel: 'transfer', description: 'Invoice 48213' });
    const series = detectRecurring([...cleaner, ...insurance, ...rent, invoice], '2026-03-20');
    const byKey = new Map(series.map((s) => [s.key, s]));
    assert.equal(byKey.get('ext_cleaner')?.frequency, 'weekly');
    // Last paid 02-02, due 02-09, 02-16, … : past the as-of date, the next date rolls on and the series is inactive.
    assert.equal(byKey.get('ext_cleaner')?.nextDate, '2026-03-23');
    assert.equal(byKey.get('ext_cleaner')?.missed, 6); // 02-09 … 03-16, each more than 2 days ago
    assert.equal(byKey.get('ext_cleaner')?.active, false);
    assert.equal(byKey.get('ext_ins')?.frequency, 'yearly');
    assert.equal(byKey.get('ext_ins')?.nextDate, '2027-03-15');
    assert.equal(byKey.get('ext_landlord')?.occurrences, 3);
    assert.ok(!series.some((s) => s.transactionIds.includes(invoice.id)));
  });

  it('keeps a utility bill whose amount drifts by up to 12 % and whose day moves by a day in one series', () => {
    const utility = {
      counterparty: 'ext_power',
      counterpartyName: 'GreenPower',
      channel: 'direct_debit' as const,
      mcc: '4900',
    };
    const bills = [
      ['2026-01-12', -8450],
      ['2026-02-13', -9120],
      ['2026-03-12', -7980],
      ['2026-04-11', -8800],
      ['2026-05-12', -8610],
    ].map(([d, a]) => booking(d as string, a as number, { ...utility, description: 'GreenPower' }));
    const [s] = detectRecurring(bills, '2026-05-20');
    assert.equal(s?.occurrences, 5);
    assert.equal(s?.anchor, 12);
    assert.equal(s?.averageMinor, -8592n);
    assert.equal(s?.nextDate, '2026-06-12');
    // A bill a third higher is not the same series' amount: the band leaves it out.
    const odd = booking('2026-03-20', -11800, { ...utility, description: 'GreenPower' });
    const [again] = detectRecurring([...bills, odd], '2026-05-20');
    assert.equal(again?.occurrences, 5);
    assert.ok(!again?.transactionIds.includes(odd.id));
  });

  it('refuses a history beyond its limit', () => {
    assert.throws(
      () => detectRecurring(Array.from({ length: 50_001 }, () => streamflix[0] as Transaction)),
      RangeError,
    );
  });
});

describe('recurring payments on generated histories', () => {
  const options: GenerationOptions = { seed: 15, customers: 120, days: 150, start: '2026-01-01', fraudRate: 0.02 };
  const truth = recurringTruth(options);
  const rows = [...generateTransactions(options)];

  it('knows from the generator which rows are scheduled, without changing them', () => {
    const salaries = rows.filter((r) => r.description.startsWith('Salary '));
    assert.ok(salaries.length >= 120 * 4);
    assert.ok(salaries.every((r) => recurringOf(truth, r)?.kind === 'salary'));
    assert.ok(rows.filter((r) => r.description === 'Rent').every((r) => recurringOf(truth, r)?.kind === 'rent'));
    const cardScheduled = rows.filter((r) => recurringOf(truth, r)?.kind === 'subscription');
    assert.ok(cardScheduled.length > 0 && cardScheduled.every((r) => r.channel === 'card'));
    // Every series the truth names is paid in the rows, once a month.
    for (const [account, series] of truth) {
      for (const s of series) {
        const paid = rows.filter(
          (r) => r.account === account && r.counterparty === s.counterparty && r.channel === s.channel,
        );
        assert.ok(paid.length >= 4 && paid.length <= 5, `${account} ${s.kind}: ${paid.length}`);
      }
    }
  });

  it('finds the scheduled rows with precision and recall of at least 0.95', () => {
    const byAccount = Map.groupBy(rows, (r) => r.account);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const history of byAccount.values()) {
      const found = new Set(detectRecurring(history).flatMap((s) => s.transactionIds));
      for (const row of history) {
        const actual = recurringOf(truth, row) !== undefined;
        if (found.has(row.id)) actual ? tp++ : fp++;
        else if (actual) fn++;
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    assert.ok(precision >= 0.95, `precision ${precision}`);
    assert.ok(recall >= 0.95, `recall ${recall}`);
  });
});
