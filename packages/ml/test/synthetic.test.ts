import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import {
  type GenerationOptions,
  generateTransactions,
  generationOptionsProblem,
  parseTime,
  rowProblem,
  type Scenario,
  scenarios,
  structuringThresholdEur,
  type Transaction,
  TransactionWriter,
} from '../src/index.ts';

const options: GenerationOptions = { seed: 7, customers: 300, days: 62, start: '2026-01-01', fraudRate: 0.1 };
const rows = [...generateTransactions(options)];
const fraudRows = rows.filter((r) => r.label);
const normalRows = rows.filter((r) => !r.label);
const amount = (r: Transaction): number => Number(r.amountMinor);
const timeMs = (r: Transaction): number => parseTime(r.time);

async function bytesOf(o: GenerationOptions): Promise<string> {
  const out = new PassThrough();
  const collected = text(out);
  const writer = new TransactionWriter(out);
  for (const row of generateTransactions(o)) await writer.write(row);
  await writer.end();
  return collected;
}

/** The rows of each fraud case of one scenario, in time order. */
function casesOf(scenario: Scenario): Transaction[][] {
  const cases = new Map<string, Transaction[]>();
  for (const row of fraudRows) {
    if (row.label?.scenario !== scenario) continue;
    cases.set(row.label.case, [...(cases.get(row.label.case) ?? []), row]);
  }
  return [...cases.values()];
}

function normalRowsOf(customer: string): Transaction[] {
  return normalRows.filter((r) => r.customer === customer);
}

describe('the synthetic generator', () => {
  it('gives byte-identical output for the same seed and options, and different output for another seed', async () => {
    const small = { ...options, customers: 60, days: 30 };
    const first = await bytesOf(small);
    assert.equal(await bytesOf(small), first);
    assert.notEqual(await bytesOf({ ...small, seed: 8 }), first);
    assert.ok(first.split('\n').length > 3000);
  });

  it('writes only valid rows, in time order, with integer non-zero amounts and unique ids', () => {
    assert.ok(rows.length > 20_000);
    for (const [i, row] of rows.entries()) {
      assert.equal(rowProblem(row), null, row.id);
      assert.match(row.amountMinor, /^-?[1-9]\d*$/);
      if (i > 0) assert.ok(timeMs(row) >= timeMs(rows[i - 1] as Transaction), `row ${i} is out of order`);
    }
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
    assert.equal(new Set(rows.map((r) => r.customer)).size, options.customers);
  });

  it('pays every customer a salary and takes their rent once in each month', () => {
    for (const customer of new Set(rows.map((r) => r.customer))) {
      const mine = normalRowsOf(customer);
      for (const month of ['2026-01', '2026-02']) {
        const salaries = mine.filter((r) => r.description === `Salary ${month}`);
        assert.equal(salaries.length, 1, `${customer} salaries in ${month}`);
        assert.ok(amount(salaries[0] as Transaction) > 0);
        const rents = mine.filter((r) => r.description === 'Rent' && r.time.startsWith(month));
        assert.equal(rents.length, 1, `${customer} rents in ${month}`);
        assert.equal(rents[0]?.channel, 'standing_order');
        assert.ok(amount(rents[0] as Transaction) < 0);
      }
    }
  });

  it('spends by merchant category, with grocery amounts log-normal around a few tens of euros', () => {
    const groceries = normalRows.filter((r) => r.mcc === '5411' && r.currency === 'EUR').map((r) => -amount(r));
    groceries.sort((a, b) => a - b);
    const median = groceries[Math.floor(groceries.length / 2)] as number;
    assert.ok(median > 1500 && median < 5000, `grocery median ${median}`);
    for (const mcc of ['5411', '5812', '5541', '4111', '5311', '5651', '4900', '4814', '4899', '5815', '6011']) {
      assert.ok(
        normalRows.some((r) => r.mcc === mcc),
        `no row with mcc ${mcc}`,
      );
    }
    assert.ok(
      normalRows.some((r) => r.channel === 'transfer' && r.counterparty.startsWith('acc_')),
      'no transfer between customers',
    );
  });

  it('gives round(rate × customers) customers one case each, the scenarios taking equal turns', () => {
    const victims = new Set(fraudRows.map((r) => r.customer));
    assert.equal(victims.size, Math.round(options.fraudRate * options.customers));
    for (const scenario of scenarios) assert.equal(casesOf(scenario).length, 6, scenario);
    const none = [...generateTransactions({ ...options, customers: 40, days: 30, fraudRate: 0 })];
    assert.equal(
      none.some((r) => r.label),
      false,
    );
  });

  it('card testing: bursts of at least five tiny card payments within ten minutes', () => {
    for (const rowsOfCase of casesOf('card_testing')) {
      const probes = rowsOfCase.filter((r) => r.label?.role === 'probe');
      assert.ok(probes.length >= 5);
      assert.ok(probes.every((r) => r.channel === 'card' && amount(r) < 0 && -amount(r) <= 200));
      assert.ok(timeMs(probes.at(-1) as Transaction) - timeMs(probes[0] as Transaction) <= 10 * 60_000);
    }
  });

  it('mule: money in from at least five strangers, then most of it out again, after', () => {
    for (const rowsOfCase of casesOf('mule')) {
      const fanIn = rowsOfCase.filter((r) => r.label?.role === 'fan_in');
      const fanOut = rowsOfCase.filter((r) => r.label?.role === 'fan_out');
      assert.ok(new Set(fanIn.map((r) => r.counterparty)).size >= 5);
      assert.ok(fanIn.every((r) => amount(r) > 0) && fanOut.every((r) => amount(r) < 0));
      assert.ok(Math.max(...fanIn.map(timeMs)) < Math.min(...fanOut.map(timeMs)));
      const inMinor = fanIn.reduce((s, r) => s + amount(r), 0);
      const outMinor = -fanOut.reduce((s, r) => s + amount(r), 0);
      assert.ok(outMinor >= 0.8 * inMinor && outMinor < inMinor, `${outMinor} out of ${inMinor}`);
    }
  });

  it('account takeover: a device and a payee the customer never used, and a transfer of half a salary or more', () => {
    for (const rowsOfCase of casesOf('account_takeover')) {
      const customer = (rowsOfCase[0] as Transaction).customer;
      const mine = normalRowsOf(customer);
      const salary = amount(mine.find((r) => r.description.startsWith('Salary')) as Transaction);
      const devices = new Set(mine.map((r) => r.device));
      const firstMs = timeMs(rowsOfCase[0] as Transaction);
      const earlierPayees = new Set(mine.filter((r) => timeMs(r) < firstMs).map((r) => r.counterparty));
      assert.ok(rowsOfCase.every((r) => r.channel === 'transfer' && r.device !== null && !devices.has(r.device)));
      assert.ok(rowsOfCase.every((r) => !earlierPayees.has(r.counterparty)));
      const largest = Math.max(...rowsOfCase.filter((r) => r.label?.role === 'cash_out').map((r) => -amount(r)));
      assert.ok(largest >= 0.5 * salary, `${largest} against a salary of ${salary}`);
      assert.ok(timeMs(rowsOfCase.at(-1) as Transaction) - firstMs <= 2 * 3_600_000);
    }
  });

  it('APP scam: the customer’s own device pays a new payee more than they ever sent before', () => {
    for (const rowsOfCase of casesOf('app_scam')) {
      const mine = normalRowsOf((rowsOfCase[0] as Transaction).customer);
      const firstMs = timeMs(rowsOfCase[0] as Transaction);
      const before = mine.filter((r) => timeMs(r) < firstMs);
      const ownDevices = new Set(mine.map((r) => r.device).filter((d) => d !== null));
      assert.ok(rowsOfCase.every((r) => r.channel === 'transfer' && r.device !== null && ownDevices.has(r.device)));
      assert.ok(rowsOfCase.every((r) => !before.some((b) => b.counterparty === r.counterparty)));
      const sentBefore = before.filter((r) => r.channel === 'transfer' && amount(r) < 0).map((r) => -amount(r));
      assert.ok(-amount(rowsOfCase[0] as Transaction) > Math.max(0, ...sentBefore));
    }
  });

  it('structuring: four or more cash deposits just under the threshold, on separate days', () => {
    for (const rowsOfCase of casesOf('structuring')) {
      const thresholdMinor = rowsOfCase[0]?.currency === 'EUR' ? structuringThresholdEur * 100 : Number.NaN;
      if (Number.isNaN(thresholdMinor)) continue;
      assert.ok(rowsOfCase.length >= 4);
      assert.ok(
        rowsOfCase.every((r) => r.channel === 'atm' && amount(r) >= 0.9 * thresholdMinor && amount(r) < thresholdMinor),
      );
      assert.ok(new Set(rowsOfCase.map((r) => r.time.slice(0, 10))).size === rowsOfCase.length);
    }
    assert.ok(casesOf('structuring').some((c) => c[0]?.currency === 'EUR'));
  });

  it('leaks no label: fraud rows use channels, codes, references, counterparty and device kinds normal rows use too', () => {
    const pattern = (d: string): string => d.replace(/\d/g, '#');
    const normal = {
      channels: new Set(normalRows.map((r) => r.channel)),
      mccs: new Set(normalRows.map((r) => r.mcc)),
      descriptions: new Set(normalRows.map((r) => pattern(r.description))),
      counterparties: new Set(normalRows.map((r) => r.counterparty.slice(0, 4))),
      deviceNull: new Set(normalRows.map((r) => `${r.channel}:${r.device === null}:${Math.sign(amount(r))}`)),
      nameEndings: new Set(normalRows.map((r) => pattern(r.counterpartyName.split(' ').at(-1) ?? ''))),
    };
    for (const row of fraudRows) {
      assert.ok(normal.channels.has(row.channel), row.channel);
      assert.ok(normal.mccs.has(row.mcc), String(row.mcc));
      assert.ok(normal.descriptions.has(pattern(row.description)), row.description);
      assert.ok(normal.counterparties.has(row.counterparty.slice(0, 4)), row.counterparty);
      assert.ok(normal.deviceNull.has(`${row.channel}:${row.device === null}:${Math.sign(amount(row))}`));
      assert.deepEqual(Object.keys(row), Object.keys(normalRows[0] as Transaction));
      assert.ok(normal.nameEndings.has(pattern(row.counterpartyName.split(' ').at(-1) ?? '')), row.counterpartyName);
    }
    // A device first seen mid-run is no proof of takeover: customers change phones too.
    const firstSeen = new Map<string, number>();
    for (const row of normalRows) if (row.device && !firstSeen.has(row.device)) firstSeen.set(row.device, timeMs(row));
    const lateNormalDevices = [...firstSeen.values()].filter(
      (ms) => ms > timeMs(rows[0] as Transaction) + 14 * 86_400_000,
    );
    assert.ok(lateNormalDevices.length > 0);
    // Normal customers also pay new payees large amounts.
    const largeNormal = normalRows.filter(
      (r) => r.channel === 'transfer' && r.counterparty.startsWith('ext_') && -amount(r) > 100_000,
    );
    assert.ok(largeNormal.length > 0);
    // And some pay in cash by the thousand.
    assert.ok(normalRows.some((r) => r.channel === 'atm' && r.currency === 'EUR' && amount(r) > 200_000));
  });

  it('refuses options out of range with a sentence naming the option', () => {
    assert.match(generationOptionsProblem({ ...options, seed: -1 }) ?? '', /^seed/);
    assert.match(generationOptionsProblem({ ...options, customers: 0 }) ?? '', /^customers/);
    assert.match(generationOptionsProblem({ ...options, start: '2026-02-30' }) ?? '', /^start/);
    assert.match(generationOptionsProblem({ ...options, fraudRate: 1.5 }) ?? '', /^fraud-rate/);
    assert.match(generationOptionsProblem({ ...options, days: 10 }) ?? '', /^days must be at least 28/);
    assert.equal(generationOptionsProblem({ ...options, days: 10, fraudRate: 0 }), null);
    assert.throws(() => generateTransactions({ ...options, days: 0 }).next(), RangeError);
  });
});
