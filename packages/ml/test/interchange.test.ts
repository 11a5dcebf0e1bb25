import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import {
  formatTransaction,
  InterchangeError,
  readTransactions,
  rowProblem,
  type Transaction,
  TransactionWriter,
  validateTransactions,
} from '../src/index.ts';

const base: Transaction = {
  v: 1,
  id: 'txn_0001',
  time: '2026-01-05T17:42:09Z',
  customer: 'cus_a1',
  account: 'acc_a1',
  counterparty: 'mer_groceries1',
  counterpartyName: 'FreshMart Berlin',
  amountMinor: '-2845',
  currency: 'EUR',
  channel: 'card',
  device: null,
  mcc: '5411',
  description: 'FreshMart Berlin',
  label: null,
};

const rows: Transaction[] = [
  base,
  {
    ...base,
    id: 'txn_0002',
    time: '2026-01-05T18:00:00Z',
    counterparty: 'ext_b2',
    counterpartyName: 'Jonas Weber',
    amountMinor: '-125000',
    channel: 'transfer',
    device: 'dev_x9',
    mcc: null,
    description: 'Invoice 4711',
    label: { scenario: 'account_takeover', case: 'case_1', role: 'cash_out' },
  },
  // Real data: nobody knows, so no label field at all.
  {
    ...base,
    id: 'txn_0003',
    time: '2026-01-06T07:00:00.250Z',
    amountMinor: '310000',
    channel: 'transfer',
    mcc: null,
    label: undefined,
  },
];
delete rows[2]?.label;

async function written(list: readonly Transaction[]): Promise<string> {
  const out = new PassThrough();
  const collected = text(out);
  const writer = new TransactionWriter(out);
  for (const row of list) await writer.write(row);
  await writer.end();
  return collected;
}

async function readAll(content: string): Promise<Transaction[]> {
  const list: Transaction[] = [];
  for await (const row of readTransactions(Readable.from([content]))) list.push(row);
  return list;
}

async function firstError(content: string): Promise<InterchangeError> {
  const error = await readAll(content).then(
    () => assert.fail('read a malformed file without an error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof InterchangeError, String(error));
  return error;
}

const line = (row: object): string => JSON.stringify(row);

describe('the interchange format', () => {
  it('round-trips: what the writer writes, the reader reads back as the same objects', async () => {
    const content = await written(rows);
    assert.equal(content.split('\n').length, 4);
    assert.ok(content.endsWith('\n'));
    assert.deepEqual(await readAll(content), rows);
    assert.equal(Object.hasOwn((await readAll(content))[2] as object, 'label'), false);
  });

  it('writes the fields in one order whatever the object’s order, so the same rows give the same bytes', () => {
    const reversed = Object.fromEntries(Object.entries(base).reverse()) as unknown as Transaction;
    assert.equal(formatTransaction(reversed), formatTransaction(base));
    assert.match(formatTransaction(base), /^\{"v":1,"id":"txn_0001","time":/);
  });

  it('reads CRLF line ends and a last line without a newline', async () => {
    const content = `${line({ ...base })}\r\n${line({ ...base, id: 'txn_0002' })}`;
    assert.equal((await readAll(content)).length, 2);
  });

  const malformed: [string, Record<string, unknown>, string | null, RegExp][] = [
    ['a JSON number for the amount', { ...base, amountMinor: -2845 }, 'amountMinor', /string/],
    ['a decimal amount', { ...base, amountMinor: '-28.45' }, 'amountMinor', /integer/],
    ['a zero amount', { ...base, amountMinor: '0' }, 'amountMinor', /non-zero/],
    ['a leading zero', { ...base, amountMinor: '-02845' }, 'amountMinor', /leading zeros/],
    ['a lower-case currency', { ...base, currency: 'eur' }, 'currency', /ISO 4217/],
    ['a made-up currency', { ...base, currency: 'EUX' }, 'currency', /ISO 4217/],
    ['a local time', { ...base, time: '2026-01-05T17:42:09+01:00' }, 'time', /UTC/],
    ['an impossible date', { ...base, time: '2026-02-30T10:00:00Z' }, 'time', /UTC/],
    ['an unknown channel', { ...base, channel: 'crypto' }, 'channel', /one of card/],
    ['a card row without a merchant code', { ...base, mcc: null }, 'mcc', /required for card/],
    ['a numeric merchant code', { ...base, mcc: 5411 }, 'mcc', /four-digit/],
    ['an unknown field', { ...base, balanceMinor: '1000' }, 'balanceMinor', /unknown field/],
    ['a missing field', { ...base, description: undefined }, 'description', /missing/],
    ['a missing device', Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'device')), 'device', /missing/],
    ['another version', { ...base, v: 2 }, 'v', /must be 1/],
    ['an empty id', { ...base, id: '' }, 'id', /not empty/],
    ['an empty counterparty name', { ...base, counterpartyName: '' }, 'counterpartyName', /empty/],
    ['a control character', { ...base, description: 'a\u0007b' }, 'description', /control/],
    [
      'an unknown scenario',
      { ...base, label: { scenario: 'phishing', case: 'c1', role: 'probe' } },
      'label.scenario',
      /one of/,
    ],
    [
      'a role of another scenario',
      { ...base, label: { scenario: 'mule', case: 'c1', role: 'probe' } },
      'label.role',
      /fan_in/,
    ],
    ['a label without a case', { ...base, label: { scenario: 'mule', role: 'fan_in' } }, 'label.case', /string id/],
    ['a label as a string', { ...base, label: 'fraud' }, 'label', /null or an object/],
  ];
  for (const [what, row, field, reason] of malformed) {
    it(`refuses ${what}, naming the line and the field`, async () => {
      const error = await firstError(
        `${line({ ...base, id: 'txn_ok', time: '2026-01-01T00:00:00Z' })}\n${line(row)}\n`,
      );
      assert.equal(error.line, 2);
      assert.equal(error.field, field);
      assert.match(error.reason, reason);
      assert.match(error.message, new RegExp(`^line 2: ${field ?? ''}`));
    });
  }

  it('refuses lines that are not JSON objects, and blank lines', async () => {
    assert.equal((await firstError('{"v":1,')).message, 'line 1: is not valid JSON');
    assert.equal((await firstError('[1,2]\n')).reason, 'must be a JSON object');
    const blank = await firstError(`${line(base)}\n\n${line({ ...base, id: 'txn_2' })}\n`);
    assert.equal(blank.line, 2);
    assert.match(blank.reason, /empty/);
  });

  it('refuses a row earlier than the one before it, and a repeated id', async () => {
    const late = line({ ...base, id: 'txn_late', time: '2026-01-06T00:00:00Z' });
    const unsorted = await firstError(`${late}\n${line(base)}\n`);
    assert.deepEqual([unsorted.line, unsorted.field], [2, 'time']);
    assert.match(unsorted.reason, /earlier than line 1/);
    const repeated = await firstError(`${line(base)}\n${late}\n${line({ ...base, time: '2026-01-07T00:00:00Z' })}\n`);
    assert.deepEqual([repeated.line, repeated.field, repeated.reason], [3, 'id', 'repeats the id of line 1']);
  });

  it('validates a whole file: every error up to the limit, and counts of the valid rows', async () => {
    const content = [
      line(base),
      line({ ...base, id: 'txn_2', currency: 'XXX' }),
      line({ ...base, id: 'txn_3', label: { scenario: 'card_testing', case: 'case_7', role: 'probe' } }),
      '{oops',
      line({ ...base, id: 'txn_5', customer: 'cus_b2' }),
    ].join('\n');
    const report = await validateTransactions(Readable.from([content]));
    assert.equal(report.lines, 5);
    assert.deepEqual(
      report.errors.map((e) => e.message),
      ['line 2: currency: must be an ISO 4217 code such as EUR', 'line 4: is not valid JSON'],
    );
    assert.equal(report.tally.rows, 3);
    assert.equal(report.tally.customers, 2);
    assert.equal(report.tally.fraud, 1);
    assert.deepEqual(report.tally.byScenario.card_testing, { rows: 1, cases: 1 });
    const capped = await validateTransactions(Readable.from([Array(30).fill('nope').join('\n')]), 10);
    assert.equal(capped.errors.length, 10);
  });

  it('documents only valid rows in its examples', () => {
    const doc = path.join(import.meta.dirname, '..', '..', '..', 'docs', 'ml', 'interchange-format.md');
    const examples = readFileSync(doc, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"v":1'));
    assert.ok(examples.length >= 8);
    for (const example of examples) assert.equal(rowProblem(JSON.parse(example)), null, example);
  });

  it('refuses to write a malformed row or a row out of time order', async () => {
    assert.throws(() => formatTransaction({ ...base, amountMinor: '12.5' }), /amountMinor/);
    const writer = new TransactionWriter(new PassThrough());
    await writer.write({ ...base, time: '2026-01-06T00:00:00Z' });
    await assert.rejects(writer.write(base), /out of order/);
  });

  it('waits for a slow reader instead of buffering without bound', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const writer = new TransactionWriter(out);
    let drained = false;
    const writing = (async () => {
      for (let i = 0; i < 2000; i++) await writer.write({ ...base, id: `txn_${i}` });
      drained = true;
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(drained, false, 'the writer ran ahead of a reader that never read');
    const collected = text(out);
    await writing;
    await writer.end();
    assert.equal((await collected).split('\n').length, 2001);
  });
});
