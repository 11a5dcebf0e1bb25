import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dailyBalances,
  forecastBalance,
  type GenerationOptions,
  generateTransactions,
  mase,
  naiveForecast,
  seasonalNaiveForecast,
  type Transaction,
} from '../src/index.ts';

let n = 0;
function booking(date: string, amountMinor: number, fields: Partial<Transaction>): Transaction {
  n++;
  return {
    v: 1,
    id: `txn_${String(n).padStart(6, '0')}`,
    time: `${date}T09:00:00Z`,
    customer: 'cus_1',
    account: 'acc_1',
    counterparty: 'mer_cafe',
    counterpartyName: 'Café Minute',
    amountMinor: String(amountMinor),
    currency: 'EUR',
    channel: 'card',
    device: null,
    mcc: '5814',
    description: 'Café Minute',
    label: null,
    ...fields,
  };
}

const iso = (day: number): string => new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10);

describe('MASE and its baselines', () => {
  it('scales the mean absolute error by the in-sample seasonal naive error', () => {
    const history = Array.from({ length: 14 }, (_, t) => t); // y_t − y_{t−7} = 7 throughout
    assert.equal(mase([14, 15], [14, 17], history), 1 / 7);
    assert.equal(mase([14, 15], [14, 15], history), 0);
    assert.throws(() => mase([1], [1, 2], history), RangeError);
    assert.throws(() => mase([1], [1], [1, 2, 3]), RangeError);
    assert.equal(mase([1], [2], Array(10).fill(5)), Number.POSITIVE_INFINITY);
  });

  it('repeats the last week (seasonal naive) or the last value (naive)', () => {
    const history = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.deepEqual(seasonalNaiveForecast(history, 9), [4, 5, 6, 7, 8, 9, 10, 4, 5]);
    assert.deepEqual(naiveForecast(history, 3), [10, 10, 10]);
  });
});

describe('the balance forecast', () => {
  // 120 days: salary 2,000.00 on the 25th, rent 800.00 on the 1st, a 3.00 coffee every day.
  const rows: Transaction[] = [];
  for (let day = 0; day < 150; day++) {
    const date = iso(day);
    if (date.endsWith('-25')) {
      rows.push(
        booking(date, 200000, {
          counterparty: 'ext_emp',
          counterpartyName: 'Employer',
          channel: 'transfer',
          mcc: null,
          description: `Salary ${date.slice(0, 7)}`,
        }),
      );
    }
    if (date.endsWith('-01')) {
      rows.push(
        booking(date, -80000, {
          counterparty: 'ext_ll',
          counterpartyName: 'Landlord',
          channel: 'standing_order',
          mcc: null,
          description: 'Rent',
        }),
      );
    }
    rows.push(booking(date, -300, {}));
  }
  const first = Date.UTC(2026, 0, 1) / 86_400_000;

  it('projects the known payments and the weekday spending exactly when they are regular', () => {
    const balances = dailyBalances(rows, first, first + 149, 100_000n);
    const history = balances.slice(0, 120);
    const forecast = forecastBalance(rows, { asOf: iso(120), balanceMinor: history.at(-1) as bigint });
    assert.equal(forecast.length, 30);
    assert.equal(forecast[0]?.date, '2026-05-01');
    assert.deepEqual(
      forecast.map((p) => p.balanceMinor),
      balances.slice(120),
    );
    // 2026-05-01: rent and a coffee out.
    assert.equal(forecast[0]?.balanceMinor, (history.at(-1) as bigint) - 80000n - 300n);
    assert.equal(
      mase(
        balances.slice(120).map(Number),
        forecast.map((p) => Number(p.balanceMinor)),
        history.map(Number),
      ),
      0,
    );
  });

  it('beats seasonal naive with a MASE of at most 0.7 on held-out generated histories', () => {
    const options: GenerationOptions = { seed: 15, customers: 120, days: 150, start: '2026-01-01', fraudRate: 0.02 };
    const byAccount = Map.groupBy(generateTransactions(options), (r) => r.account);
    const start = Date.UTC(2026, 0, 1) / 86_400_000;
    const ours: number[] = [];
    const seasonal: number[] = [];
    for (const history of byAccount.values()) {
      const balances = dailyBalances(history, start, start + 149).map(Number);
      const past = balances.slice(0, 120);
      const actual = balances.slice(120);
      const forecast = forecastBalance(history, { asOf: '2026-05-01', balanceMinor: BigInt(past.at(-1) as number) });
      ours.push(
        mase(
          actual,
          forecast.map((p) => Number(p.balanceMinor)),
          past,
        ),
      );
      seasonal.push(mase(actual, seasonalNaiveForecast(past, 30), past));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(ours) <= 0.7, `MASE ${mean(ours)}`);
    assert.ok(mean(ours) < mean(seasonal) / 2, `MASE ${mean(ours)} against seasonal naive ${mean(seasonal)}`);
  });
});
