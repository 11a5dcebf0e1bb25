import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  extractFeatures,
  extractSnapshot,
  type FeatureSnapshot,
  FeatureState,
  featureNames,
  featureVector,
  generateTransactions,
  logMajor,
  parseTime,
  type Transaction,
} from '../src/index.ts';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

const byName = (values: Float64Array): Record<string, number> =>
  Object.fromEntries(featureNames.map((n, i) => [n, values[i] as number]));

/** A snapshot as the API would build it from its ledger: a payment out of 250.00 at 03:00 UTC. */
const apiSnapshot: FeatureSnapshot = {
  timeMs: Date.parse('2026-03-02T03:00:00Z'),
  amountMinor: -25_000,
  channel: 'transfer',
  device: { firstSeenMs: Date.parse('2026-03-02T02:00:00Z') },
  history: {
    rows: 9,
    out: { count: 4, mean: logMajor(5000), m2: 4 * 0.5 ** 2 },
    in: { count: 5, mean: logMajor(200_000), m2: 0 },
    maxOutMinor: 10_000,
  },
  out1h: { count: 2, sumMinor: 300 },
  out24h: { count: 3, sumMinor: 5300 },
  out7d: { count: 4, sumMinor: 15_300 },
  in24h: { count: 1, sumMinor: 200_000 },
  counterparty: {
    knownSinceMs: Date.parse('2026-03-01T03:00:00Z'),
    paidBefore: false,
    firstSeenAtBankMs: Date.parse('2026-02-28T03:00:00Z'),
    fanIn24h: 2,
    fanIn7d: 3,
    tinyCard24h: 4,
  },
  fanOut24h: 2,
  tinyCard10m: 0,
  smallCard10m: 1,
  tinyCard30d: 5,
  cashIn28d: { count: 2, sumMinor: 1_800_000 },
  inPayers7d: 3,
  lastCardMs: Date.parse('2026-03-02T02:59:00Z'),
};

describe('featureVector of a snapshot', () => {
  it('computes every feature from a hand-built snapshot, as the API builds it', () => {
    const f = byName(featureVector(apiSnapshot));
    const close = (name: string, expected: number) =>
      assert.ok(Math.abs((f[name] as number) - expected) < 1e-12, `${name}: ${f[name]} is not ${expected}`);
    close('amount_log', Math.log1p(250));
    close('amount_z', (Math.log1p(250) - Math.log1p(50)) / 0.5);
    close('amount_over_max_log', Math.log(2.5));
    close('history_log', Math.log1p(9));
    close('out_sum_1h_log', Math.log1p(3));
    close('out_sum_7d_log', Math.log1p(153));
    close('counterparty_known_log_hours', Math.log1p(24));
    close('device_age_log_hours', Math.log1p(1));
    close('counterparty_age_log_days', Math.log1p(2));
    close('hour_sin', Math.sin((2 * Math.PI * 3) / 24));
    close('in_sum_24h_log', Math.log1p(2000));
    assert.deepEqual(
      [f.is_money_out, f.out_count_1h, f.out_count_24h, f.out_count_7d, f.new_payee, f.new_counterparty],
      [1, 2, 3, 4, 1, 0],
    );
    assert.deepEqual(
      [f.has_device, f.new_device, f.counterparty_fan_in_24h, f.counterparty_fan_in_7d, f.fan_out_24h],
      [1, 0, 2, 3, 2],
    );
    assert.deepEqual([f.in_count_24h, f.credit_in_24h, f.tiny_card_count_10m, f.channel_transfer], [1, 1, 0, 1]);
    close('cash_in_sum_28d_log', Math.log1p(18_000));
    close('card_gap_log_seconds', Math.log1p(60));
    assert.deepEqual(
      [
        f.cash_in_count_28d,
        f.tiny_card_count_30d,
        f.counterparty_tiny_card_24h,
        f.in_payers_7d,
        f.small_card_count_10m,
      ],
      [2, 5, 4, 3, 1],
    );
  });

  it('reads no card payment before, or one more than a month ago, as a gap of a month', () => {
    const monthLog = Math.log1p((30 * dayMs) / 1000);
    const gap = (lastCardMs: number | null) =>
      byName(featureVector({ ...apiSnapshot, lastCardMs })).card_gap_log_seconds;
    assert.equal(gap(null), monthLog);
    assert.equal(gap(apiSnapshot.timeMs - 90 * dayMs), monthLog);
    assert.ok((gap(apiSnapshot.timeMs - 29 * dayMs) as number) < monthLog);
  });

  it('says new for a device and a counterparty never seen, and nothing for a row without a device', () => {
    const fresh = byName(
      featureVector({
        ...apiSnapshot,
        device: { firstSeenMs: null },
        counterparty: { ...apiSnapshot.counterparty, knownSinceMs: null, firstSeenAtBankMs: null },
      }),
    );
    assert.deepEqual(
      [fresh.new_device, fresh.device_age_log_hours, fresh.new_counterparty, fresh.counterparty_age_log_days],
      [1, 0, 1, 0],
    );
    const card = byName(featureVector({ ...apiSnapshot, device: null, channel: 'card', amountMinor: 4000 }));
    assert.deepEqual([card.has_device, card.new_device, card.is_money_out, card.new_payee], [0, 0, 0, 0]);
    assert.equal(card.amount_over_max_log, 0);
    assert.equal(card.channel_card, 1);
  });
});

/**
 * The snapshot worked out the slow, obvious way: by scanning every earlier row, with none of the
 * extractor's windows, maps or running statistics. The extractor must agree with it row for row.
 */
function naiveSnapshots(rows: readonly Transaction[]): FeatureSnapshot[] {
  const times = rows.map((r) => parseTime(r.time));
  const byCustomer = new Map<string, number[]>();
  const byParty = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, i: number) => map.set(key, [...(map.get(key) ?? []), i]);
  for (const [i, r] of rows.entries()) {
    add(byCustomer, r.customer, i);
    add(byParty, r.counterparty, i);
    if (r.account !== r.counterparty) add(byParty, r.account, i);
  }
  return rows.map((row, k) => {
    const now = times[k] as number;
    const amount = (i: number) => Number((rows[i] as Transaction).amountMinor);
    const mine = (byCustomer.get(row.customer) ?? []).filter((i) => i < k);
    const inWindow = (i: number, spanMs: number) => (times[i] as number) > now - spanMs;
    const totals = (out: boolean, spanMs: number) => {
      const picked = mine.filter((i) => amount(i) < 0 === out && inWindow(i, spanMs));
      return { count: picked.length, sumMinor: picked.reduce((s, i) => s + Math.abs(amount(i)), 0) };
    };
    const stats = (out: boolean) => {
      const xs = mine.filter((i) => amount(i) < 0 === out).map((i) => logMajor(Math.abs(amount(i))));
      const mean = xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
      return { count: xs.length, mean, m2: xs.reduce((s, x) => s + (x - mean) ** 2, 0) };
    };
    const withParty = mine.filter((i) => (rows[i] as Transaction).counterparty === row.counterparty);
    const sightings = (byParty.get(row.counterparty) ?? []).filter((i) => i < k);
    const payers = (spanMs: number) =>
      new Set(
        sightings
          .filter((i) => (rows[i] as Transaction).counterparty === row.counterparty && amount(i) < 0)
          .filter((i) => inWindow(i, spanMs))
          .map((i) => (rows[i] as Transaction).customer),
      ).size;
    const outs = mine.filter((i) => amount(i) < 0);
    const cards = outs.filter((i) => (rows[i] as Transaction).channel === 'card');
    const cardsUnder = (minor: number, spanMs: number) =>
      cards.filter((i) => -amount(i) < minor && inWindow(i, spanMs)).length;
    const cashIn = mine.filter(
      (i) => amount(i) > 0 && (rows[i] as Transaction).channel === 'atm' && inWindow(i, 28 * dayMs),
    );
    const fromAccounts = mine.filter(
      (i) => amount(i) > 0 && ['transfer', 'standing_order'].includes((rows[i] as Transaction).channel),
    );
    const tinyCardsToParty = sightings.filter((i) => {
      const r = rows[i] as Transaction;
      return r.counterparty === row.counterparty && r.channel === 'card' && amount(i) < 0 && -amount(i) < 100;
    });
    const deviceRows = mine.filter((i) => row.device !== null && (rows[i] as Transaction).device === row.device);
    return {
      timeMs: now,
      amountMinor: Number(row.amountMinor),
      channel: row.channel,
      device:
        row.device === null
          ? null
          : { firstSeenMs: deviceRows.length ? (times[deviceRows[0] as number] as number) : null },
      history: {
        rows: mine.length,
        out: stats(true),
        in: stats(false),
        maxOutMinor: Math.max(0, ...outs.map((i) => -amount(i))),
      },
      out1h: totals(true, hourMs),
      out24h: totals(true, dayMs),
      out7d: totals(true, 7 * dayMs),
      in24h: totals(false, dayMs),
      counterparty: {
        knownSinceMs: withParty.length ? (times[withParty[0] as number] as number) : null,
        paidBefore: withParty.some((i) => amount(i) < 0),
        firstSeenAtBankMs: sightings.length ? (times[sightings[0] as number] as number) : null,
        fanIn24h: payers(dayMs),
        fanIn7d: payers(7 * dayMs),
        tinyCard24h: tinyCardsToParty.filter((i) => inWindow(i, dayMs)).length,
      },
      fanOut24h: new Set(outs.filter((i) => inWindow(i, dayMs)).map((i) => (rows[i] as Transaction).counterparty)).size,
      tinyCard10m: cardsUnder(100, 10 * 60_000),
      smallCard10m: cardsUnder(200, 10 * 60_000),
      tinyCard30d: cardsUnder(100, 30 * dayMs),
      cashIn28d: { count: cashIn.length, sumMinor: cashIn.reduce((s, i) => s + amount(i), 0) },
      inPayers7d: new Set(
        fromAccounts.filter((i) => inWindow(i, 7 * dayMs)).map((i) => (rows[i] as Transaction).counterparty),
      ).size,
      lastCardMs: cards.length ? (times[cards.at(-1) as number] as number) : null,
    };
  });
}

describe('the extractor over generated data', () => {
  const rows = [...generateTransactions({ seed: 21, customers: 80, days: 30, start: '2026-01-01', fraudRate: 0.1 })];

  it('builds the same snapshots as a scan of every earlier row, and features = featureVector(snapshot)', () => {
    const expected = naiveSnapshots(rows);
    const snapshots = new FeatureState();
    const features = new FeatureState();
    let compared = 0;
    // Rows where each of the newer fields is not its empty value: the comparison must be able to fail.
    const seen = { tinyCard24h: 0, smallCard10m: 0, tinyCard30d: 0, cashIn28d: 0, inPayers7d: 0, lastCardMs: 0 };
    for (const [k, row] of rows.entries()) {
      const snapshot = extractSnapshot(row, snapshots);
      if (snapshot.counterparty.tinyCard24h > 0) seen.tinyCard24h++;
      if (snapshot.smallCard10m > 0) seen.smallCard10m++;
      if (snapshot.tinyCard30d > 0) seen.tinyCard30d++;
      if (snapshot.cashIn28d.count > 0) seen.cashIn28d++;
      if (snapshot.inPayers7d > 0) seen.inPayers7d++;
      if (snapshot.lastCardMs !== null) seen.lastCardMs++;
      const want = expected[k] as FeatureSnapshot;
      const { out, in: incoming, ...rest } = snapshot.history;
      const { out: wantOut, in: wantIn, ...wantRest } = want.history;
      assert.deepEqual({ ...snapshot, history: rest }, { ...want, history: wantRest }, `row ${k}`);
      for (const [got, exp] of [
        [out, wantOut],
        [incoming, wantIn],
      ] as const) {
        assert.equal(got.count, exp.count, `row ${k} count`);
        assert.ok(Math.abs(got.mean - exp.mean) < 1e-9 && Math.abs(got.m2 - exp.m2) < 1e-6, `row ${k} stats`);
      }
      const values = extractFeatures(row, features).values;
      assert.deepEqual(values, featureVector(snapshot), `row ${k} features`);
      const oracle = featureVector(want);
      for (let i = 0; i < values.length; i++) {
        assert.ok(Math.abs((values[i] as number) - (oracle[i] as number)) < 1e-6, `row ${k} ${featureNames[i]}`);
      }
      compared++;
    }
    assert.ok(compared > 5000, `only ${compared} rows`);
    for (const [field, n] of Object.entries(seen)) assert.ok(n >= 10, `${field} set on only ${n} rows`);
  });
});
