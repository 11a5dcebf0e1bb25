import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Channel,
  channels,
  describeFeature,
  extractFeatures,
  FeatureState,
  featureIndex,
  featureNames,
  generateTransactions,
  type Transaction,
} from '../src/index.ts';

const t0 = Date.parse('2026-03-02T12:00:00Z');
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
let nextId = 0;

/** A valid row: `amount` in minor units (negative is money out), `at` ms since the epoch. */
function row(at: number, amount: number, o: Partial<Transaction> = {}): Transaction {
  const channel: Channel = o.channel ?? 'transfer';
  return {
    v: 1,
    id: `txn_${nextId++}`,
    time: new Date(at).toISOString(),
    customer: 'cus_a',
    account: `acc_of_${o.customer ?? 'cus_a'}`,
    counterparty: 'ext_x',
    counterpartyName: 'Someone',
    amountMinor: String(amount),
    currency: 'EUR',
    channel,
    device: null,
    mcc: channel === 'card' || channel === 'atm' ? '5815' : null,
    description: '',
    label: null,
    ...o,
  };
}

/** The features of every row of the sequence, as name → value records. */
function run(rows: Transaction[]): Record<string, number>[] {
  const state = new FeatureState();
  return rows.map((r) => {
    const { values, names } = extractFeatures(r, state);
    return Object.fromEntries(names.map((n, i) => [n, values[i] as number]));
  });
}

function last(rows: Transaction[]): Record<string, number> {
  return run(rows).at(-1) as Record<string, number>;
}

const logMajor = (minor: number): number => Math.log1p(minor / 100);
const close = (actual: number | undefined, expected: number, what: string): void =>
  assert.ok(Math.abs((actual as number) - expected) < 1e-9, `${what}: ${actual} is not ${expected}`);

describe('the fraud feature catalogue', () => {
  it('names every value in a fixed order and explains each in words', () => {
    const { values, names } = extractFeatures(row(t0, -100), new FeatureState());
    assert.equal(values.length, featureNames.length);
    assert.deepEqual(names, featureNames);
    assert.equal(new Set(featureNames).size, featureNames.length);
    for (const name of featureNames) assert.ok(describeFeature(name).length > 20, name);
    for (const c of channels) assert.ok(featureNames.includes(`channel_${c}`), c);
    assert.equal(featureIndex('amount_log'), 0);
    assert.throws(() => describeFeature('balance'), /no feature named balance/);
  });
});

describe('fraud features of hand-built sequences', () => {
  it('describes a first transaction with no history: amount, hour of day in UTC, everything new', () => {
    const f = last([row(Date.parse('2026-03-02T06:00:00Z'), -1250)]);
    close(f.amount_log, logMajor(1250), 'amount_log');
    assert.equal(f.is_money_out, 1);
    assert.equal(f.amount_z, 0);
    assert.equal(f.amount_over_max_log, 0);
    assert.equal(f.history_log, 0);
    assert.equal(f.new_payee, 1);
    assert.equal(f.new_counterparty, 1);
    assert.equal(f.counterparty_age_log_days, 0);
    assert.equal(f.out_count_7d, 0);
    close(f.hour_sin, 1, 'hour_sin at 06:00');
    close(f.hour_cos, 0, 'hour_cos at 06:00');
    assert.equal(f.channel_transfer, 1);
    for (const c of ['card', 'atm', 'direct_debit', 'standing_order']) assert.equal(f[`channel_${c}`], 0, c);
  });

  it('counts and sums money out in 1 h, 24 h and 7 d, a row exactly a window before falling out', () => {
    const f = last([
      row(t0 - 7 * day, -100),
      row(t0 - 6 * day, -200),
      row(t0 - day, -300),
      row(t0 - 23 * hour, -400),
      row(t0 - hour, -500),
      row(t0 - hour + 1000, -600),
      row(t0 - 30 * minute, 99_999), // money in: not in the outgoing windows
      row(t0, -700),
    ]);
    assert.equal(f.out_count_1h, 1);
    close(f.out_sum_1h_log, logMajor(600), 'out_sum_1h_log');
    assert.equal(f.out_count_24h, 3);
    close(f.out_sum_24h_log, logMajor(1500), 'out_sum_24h_log');
    assert.equal(f.out_count_7d, 5);
    close(f.out_sum_7d_log, logMajor(2000), 'out_sum_7d_log');
  });

  it('marks a payee new at the first payment and not at the second; being paid by them is not paying them', () => {
    const f = run([
      row(t0, 5000, { counterparty: 'ext_p' }),
      row(t0 + hour, -100, { counterparty: 'ext_p' }),
      row(t0 + 2 * hour, -100, { counterparty: 'ext_p' }),
    ]);
    assert.deepEqual(
      f.map((x) => [x.new_payee, x.new_counterparty]),
      [
        [0, 1],
        [1, 0],
        [0, 0],
      ],
    );
    assert.equal(f[0]?.counterparty_known_log_hours, 0);
    close(f[2]?.counterparty_known_log_hours, Math.log1p(2), 'counterparty_known_log_hours');
  });

  it("marks a device new on the customer's first use and then says how long it has been known", () => {
    const f = run([
      row(t0, -100),
      row(t0 + hour, -100, { device: 'dev_1' }),
      row(t0 + 4 * hour, -100, { device: 'dev_1' }),
      row(t0 + 4 * hour, -100, { device: 'dev_1', customer: 'cus_b' }),
    ]);
    assert.deepEqual(
      f.map((x) => [x.has_device, x.new_device]),
      [
        [0, 0],
        [1, 1],
        [1, 0],
        [1, 1],
      ],
    );
    assert.equal(f[1]?.device_age_log_hours, 0);
    close(f[2]?.device_age_log_hours, Math.log1p(3), 'device_age_log_hours');
  });

  it("scores the amount against the customer's own history, with a floor on the spread", () => {
    const flat = run([row(t0, -1000), row(t0 + hour, -1000), row(t0 + 2 * hour, -4000)]);
    assert.equal(flat[1]?.amount_z, 0);
    close(flat[2]?.amount_z, (logMajor(4000) - logMajor(1000)) / 0.25, 'z with the floor');
    close(flat[2]?.amount_over_max_log, Math.log(4), 'amount_over_max_log');
    const a = logMajor(1000);
    const b = logMajor(100_000);
    const spread = Math.abs(a - b) / 2;
    const varied = last([row(t0, -1000), row(t0 + hour, -100_000), row(t0 + 2 * hour, -1_000_000)]);
    close(varied.amount_z, (logMajor(1_000_000) - (a + b) / 2) / spread, 'z with mean and std');
    const huge = last([row(t0, -100), row(t0 + hour, -100_000_000)]);
    assert.equal(huge.amount_z, 10);
    // Money in is scored against money in, not against the payments.
    const incoming = run([row(t0, -100), row(t0 + hour, 5000), row(t0 + 2 * hour, 5000)]);
    assert.equal(incoming[1]?.amount_z, 0);
    assert.equal(incoming[2]?.amount_z, 0);
  });

  it("counts a payee's distinct payers across customers in 24 h and 7 d, and a customer's distinct payees", () => {
    const pay = (at: number, customer: string, counterparty = 'ext_m'): Transaction =>
      row(at, -1000, { customer, counterparty });
    const f = run([
      pay(t0, 'cus_a'),
      pay(t0 + hour, 'cus_b'),
      pay(t0 + 2 * hour, 'cus_c'),
      pay(t0 + 3 * hour, 'cus_a'),
      pay(t0 + 4 * hour, 'cus_d'),
      pay(t0 + 26 * hour, 'cus_e'),
      pay(t0 + 26 * hour + 1, 'cus_e', 'ext_other'),
    ]);
    assert.equal(f[4]?.counterparty_fan_in_24h, 3);
    assert.equal(f[4]?.counterparty_fan_in_7d, 3);
    assert.equal(f[5]?.counterparty_fan_in_24h, 2); // a at +3 h and d at +4 h
    assert.equal(f[5]?.counterparty_fan_in_7d, 4);
    assert.equal(f[6]?.counterparty_fan_in_24h, 0);
    assert.equal(f[6]?.fan_out_24h, 1);
    close(f[5]?.counterparty_age_log_days, Math.log1p(26 / 24), 'counterparty_age_log_days');
  });

  it('says whether money arrived in the 24 hours before money goes out', () => {
    const f = run([row(t0, 50_000), row(t0 + 23 * hour, -40_000), row(t0 + day, -1000)]);
    assert.equal(f[1]?.credit_in_24h, 1);
    assert.equal(f[1]?.in_count_24h, 1);
    close(f[1]?.in_sum_24h_log, logMajor(50_000), 'in_sum_24h_log');
    assert.equal(f[2]?.credit_in_24h, 0);
    assert.equal(f[2]?.in_sum_24h_log, 0);
  });

  it('counts card payments under 1.00 in the 10 minutes before, and nothing else', () => {
    const card = (at: number, amount: number): Transaction =>
      row(at, amount, { channel: 'card', counterparty: 'mer_m' });
    const f = run([
      card(t0, -5),
      card(t0 + minute, -99),
      card(t0 + 2 * minute, -100), // 1.00 is not under 1.00
      row(t0 + 3 * minute, -5), // a transfer, not a card payment
      card(t0 + 4 * minute, 5), // a refund
      card(t0 + 5 * minute, -7),
      card(t0 + 10 * minute, -50000),
    ]);
    assert.equal(f[5]?.tiny_card_count_10m, 2);
    assert.equal(f[6]?.tiny_card_count_10m, 2); // the one at t0 is exactly 10 minutes old: out
    assert.equal(f[6]?.channel_card, 1);
  });

  it('refuses rows out of time order', () => {
    const state = new FeatureState();
    extractFeatures(row(t0, -100), state);
    assert.throws(() => extractFeatures(row(t0 - 1000, -100), state), /earlier than the row before/);
  });
});

describe('fraud features over generated data', () => {
  const rows = [...generateTransactions({ seed: 14, customers: 200, days: 30, start: '2026-01-01', fraudRate: 0.1 })];

  function allValues(input: Iterable<Transaction>): Float64Array[] {
    const state = new FeatureState();
    return Array.from(input, (r) => extractFeatures(r, state).values);
  }

  const started = performance.now();
  const values = allValues(rows);
  const seconds = (performance.now() - started) / 1000;

  it('gives finite values for every row, fast', () => {
    assert.ok(rows.length > 10_000);
    for (const [i, v] of values.entries()) assert.ok(v.every(Number.isFinite), `row ${i}`);
    console.log(
      `features: ${rows.length} rows in ${seconds.toFixed(2)} s, ${Math.round(rows.length / seconds)} rows/s`,
    );
  });

  it('never reads the label: rows whose label throws when touched give the same features', () => {
    const blind = rows.map(
      (r) =>
        new Proxy(r, {
          get(target, key, receiver) {
            if (key === 'label') throw new Error('the label was read');
            return Reflect.get(target, key, receiver);
          },
        }),
    );
    assert.deepEqual(allValues(blind), values);
    const relabelled = rows.map((r) => ({
      ...r,
      label: r.label ? null : { scenario: 'mule', case: 'case_x', role: 'fan_in' },
    }));
    assert.deepEqual(allValues(relabelled as Transaction[]), values);
  });

  it('is deterministic and point-in-time: a row keeps its features when later rows are cut off', () => {
    assert.deepEqual(allValues(rows), values);
    const cut = Math.floor(rows.length / 2);
    assert.deepEqual(allValues(rows.slice(0, cut)), values.slice(0, cut));
  });

  function meanOf(name: string, pick: (r: Transaction) => boolean): number {
    const i = featureIndex(name);
    let sum = 0;
    let count = 0;
    for (const [k, r] of rows.entries()) {
      if (!pick(r)) continue;
      sum += (values[k] as Float64Array)[i] as number;
      count++;
    }
    assert.ok(count > 0, `no rows for ${name}`);
    return sum / count;
  }

  it('separates account takeovers from normal app transfers on a new device and a payee just added', () => {
    const takeover = (r: Transaction): boolean => r.label?.scenario === 'account_takeover';
    // After a week, so that a normal customer's devices and payees have been seen once.
    const warm = Date.parse('2026-01-08T00:00:00Z');
    const normal = (r: Transaction): boolean => !r.label && r.device !== null && Date.parse(r.time) > warm;
    const newDevice = [meanOf('new_device', takeover), meanOf('new_device', normal)] as const;
    assert.ok(newDevice[0] > newDevice[1] + 0.1, `new_device: takeover ${newDevice[0]} vs normal ${newDevice[1]}`);
    for (const name of ['device_age_log_hours', 'counterparty_known_log_hours', 'counterparty_age_log_days']) {
      const [fraud, usual] = [meanOf(name, takeover), meanOf(name, normal)];
      assert.ok(fraud < usual - 1, `${name}: takeover ${fraud} vs normal ${usual}`);
    }
  });

  it('separates card testing probes from normal card payments on the tiny-payment burst', () => {
    const fraud = meanOf(
      'tiny_card_count_10m',
      (r) => r.label?.scenario === 'card_testing' && r.label.role === 'probe',
    );
    const normal = meanOf('tiny_card_count_10m', (r) => !r.label && r.channel === 'card');
    assert.ok(fraud > 2 && normal < 0.1, `card testing ${fraud} vs normal ${normal}`);
  });

  it('separates mule money out from normal payments on money arrived in the last 24 hours', () => {
    const fraud = meanOf('in_count_24h', (r) => r.label?.scenario === 'mule' && r.label.role === 'fan_out');
    const normal = meanOf('in_count_24h', (r) => !r.label && Number(r.amountMinor) < 0);
    assert.ok(fraud > normal + 1, `mule ${fraud} vs normal ${normal}`);
  });
});
