import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkLedgerInvariants } from '@nextgen/testkit';
import { assertBalanced } from '../src/ledger/entries.ts';
import { createLedgerService, type LedgerOutcome, type LedgerService, movement } from '../src/ledger/index.ts';
import { type Database, openPglite } from '../src/platform/database.ts';
import { newId } from '../src/platform/ids.ts';
import { migrate } from '../src/platform/migrations.ts';
import { buildTestApp } from './helper.ts';

async function openLedgerAccount(db: Database, ledger: LedgerService, floorMinor: bigint | null = 0n) {
  return db.transaction((tx) => ledger.openAccount(tx, { currency: 'EUR', kind: 'customer', floorMinor }));
}

const settlement = 'lac_sys_settlement_eur';
const clearing = 'lac_sys_clearing_eur';

function post(ledger: LedgerService, from: string, to: string, amountMinor: bigint) {
  return ledger.postEntry({
    entryId: newId('journalEntry'),
    kind: 'transfer',
    description: '',
    metadata: {},
    postings: movement(from, to, amountMinor, 'EUR'),
  });
}

async function available(ledger: LedgerService, id: string) {
  const account = (await ledger.getAccounts([id])).get(id);
  assert.ok(account);
  return { balance: account.balanceMinor, available: account.availableMinor };
}

const rejected = (outcome: LedgerOutcome) => (outcome.ok ? 'ok' : outcome.code);

/** Ledger behaviour shared by the PostgreSQL server and the embedded PGlite. */
async function holdsAndReversals(db: Database) {
  const ledger = createLedgerService({ db });
  const account = await openLedgerAccount(db, ledger);
  assert.equal(rejected(await post(ledger, settlement, account, 100_00n)), 'ok');

  const hold = await ledger.placeHold({
    debitAccountId: account,
    creditAccountId: clearing,
    amountMinor: 30_00n,
    currency: 'EUR',
  });
  assert.ok(hold.ok);
  assert.equal(hold.status, 'pending');
  assert.deepEqual(await available(ledger, account), { balance: 100_00n, available: 70_00n });
  const tooBig = await ledger.placeHold({
    debitAccountId: account,
    creditAccountId: clearing,
    amountMinor: 70_01n,
    currency: 'EUR',
  });
  assert.equal(rejected(tooBig), 'insufficient_funds');
  assert.equal(rejected(await post(ledger, account, settlement, 70_01n)), 'insufficient_funds');

  assert.equal(rejected(await ledger.postHold(hold.entryId, 30_01n)), 'amount_exceeds_hold');
  const captured = await ledger.postHold(hold.entryId, 25_00n);
  assert.ok(captured.ok);
  assert.deepEqual(
    captured.legs.map((l) => l.amountMinor),
    [-25_00n, 25_00n],
  );
  assert.deepEqual(await available(ledger, account), { balance: 75_00n, available: 75_00n });
  assert.equal(rejected(await ledger.postHold(hold.entryId)), 'entry_not_pending');
  assert.equal(rejected(await ledger.voidHold(hold.entryId)), 'entry_not_pending');

  const released = await ledger.placeHold({
    debitAccountId: account,
    creditAccountId: clearing,
    amountMinor: 10_00n,
    currency: 'EUR',
  });
  assert.ok(released.ok);
  assert.equal(rejected(await ledger.voidHold(released.entryId)), 'ok');
  assert.deepEqual(await available(ledger, account), { balance: 75_00n, available: 75_00n });

  const spent = await post(ledger, account, settlement, 75_00n);
  assert.ok(spent.ok);
  const deposit = await post(ledger, settlement, account, 20_00n);
  assert.ok(deposit.ok);
  // Reversing the spend gives the money back; reversing the deposit now would overdraw the account.
  assert.equal(rejected(await ledger.reverseEntry(spent.entryId, 'Refund')), 'ok');
  assert.equal(rejected(await ledger.reverseEntry(spent.entryId, 'Refund again')), 'entry_not_reversible');
  assert.deepEqual(await available(ledger, account), { balance: 95_00n, available: 95_00n });
  assert.equal(rejected(await post(ledger, account, settlement, 95_00n)), 'ok');
  assert.equal(rejected(await ledger.reverseEntry(deposit.entryId, 'Chargeback')), 'insufficient_funds');
  assert.equal(rejected(await ledger.reverseEntry('jnl_01jf8x9k2m3n4p5q6r7s8t9v0w', 'x')), 'entry_not_found');
  const { rows } = await db.query<{ status: string }>('SELECT status FROM journal_entries WHERE id = $1', [
    spent.entryId,
  ]);
  assert.equal(rows[0]?.status, 'reversed');
  assert.deepEqual(await checkLedgerInvariants(db), []);
}

describe('ledger', () => {
  it('holds, captures, voids and reverses entries on PostgreSQL', async (t) => {
    const { deps } = await buildTestApp(t);
    await holdsAndReversals(deps.db);
  });

  it('runs the same SQL on the embedded PGlite', async () => {
    // A folder, not in-memory: openPglite(undefined) loses its int8 parser (reported to the platform owner).
    const dir = await mkdtemp(path.join(tmpdir(), 'ng-ledger-'));
    const db = await openPglite(dir);
    try {
      await migrate(db);
      await holdsAndReversals(db);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets an account with an overdraft limit go down to its floor and no further', async (t) => {
    const { deps, services } = await buildTestApp(t);
    const { ledger } = services;
    const account = await openLedgerAccount(deps.db, ledger, -50_00n);
    assert.equal(rejected(await post(ledger, account, settlement, 50_01n)), 'insufficient_funds');
    assert.equal(rejected(await post(ledger, account, settlement, 50_00n)), 'ok');
    assert.deepEqual(await available(ledger, account), { balance: -50_00n, available: -50_00n });
    assert.equal(rejected(await post(ledger, account, settlement, 1n)), 'insufficient_funds');
  });

  it('applies a batch in order, each command with its own outcome', async (t) => {
    const { deps, services } = await buildTestApp(t);
    const { ledger } = services;
    const a = await openLedgerAccount(deps.db, ledger);
    const b = await openLedgerAccount(deps.db, ledger);
    const frozen = await openLedgerAccount(deps.db, ledger);
    await deps.db.transaction((tx) => ledger.setStatus(tx, frozen, 'frozen'));
    const entry = (from: string, to: string, amountMinor: bigint) =>
      ({
        op: 'post',
        entry: {
          entryId: newId('journalEntry'),
          kind: 'transfer',
          description: '',
          metadata: {},
          postings: movement(from, to, amountMinor, 'EUR'),
        },
      }) as const;
    const outcomes = await deps.db.transaction((tx) =>
      ledger.apply(tx, [
        entry(settlement, a, 10_00n),
        entry(a, b, 6_00n),
        entry(a, b, 6_00n),
        entry(b, a, 1_00n),
        entry(a, frozen, 1_00n),
        {
          op: 'post',
          entry: {
            entryId: newId('journalEntry'),
            kind: 'transfer',
            description: '',
            metadata: {},
            postings: [
              { ledgerAccountId: a, currency: 'USD', amountMinor: -1n },
              { ledgerAccountId: 'lac_sys_settlement_usd', currency: 'USD', amountMinor: 1n },
            ],
          },
        },
      ]),
    );
    assert.deepEqual(outcomes.map(rejected), [
      'ok',
      'ok',
      'insufficient_funds',
      'ok',
      'account_frozen',
      'currency_mismatch',
    ]);
    const second = outcomes[1];
    assert.ok(second?.ok);
    assert.deepEqual(
      second.legs.map((l) => l.balanceAfterMinor),
      [4_00n, 6_00n],
    );
    assert.deepEqual(await available(ledger, a), { balance: 5_00n, available: 5_00n });
    assert.deepEqual(await checkLedgerInvariants(deps.db), []);
  });

  it('asserts balanced entries in TypeScript before they reach the database', () => {
    const leg = (ledgerAccountId: string, amountMinor: bigint) => ({
      ledgerAccountId,
      currency: 'EUR' as const,
      amountMinor,
    });
    assert.throws(() => assertBalanced([leg('a', 1n)]), /at least two/);
    assert.throws(() => assertBalanced([leg('a', 1n), leg('b', -2n)]), /sum to -1/);
    assert.throws(() => assertBalanced([leg('a', 0n), leg('b', 0n)]), /never zero/);
    assert.throws(() => assertBalanced([leg('a', 1n), leg('a', -1n)]), /each account once/);
    assertBalanced([leg('a', 5n), leg('b', -3n), leg('c', -2n)]);
  });

  it('refuses in the database what the code must never do: unbalanced entries and rewritten history', async (t) => {
    const { deps, services } = await buildTestApp(t);
    const { ledger } = services;
    const { db } = deps;
    const account = await openLedgerAccount(db, ledger);
    const posted = await post(ledger, settlement, account, 10_00n);
    assert.ok(posted.ok);
    const entryId = newId('journalEntry');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO journal_entries (id, kind, status, effective_at, created_at, posted_at) VALUES ($1, 'adjustment', 'posted', now(), now(), now())`,
          [entryId],
        );
        await tx.query(
          `INSERT INTO postings (entry_id, ledger_account_id, currency, amount_minor, balance_after_minor, created_at)
           VALUES ($1, $2, 'EUR', 500, 0, now()), ($1, $3, 'EUR', -400, 0, now())`,
          [entryId, account, settlement],
        );
      }),
      /unbalanced/,
    );
    await assert.rejects(
      db.query('UPDATE postings SET amount_minor = amount_minor * 2 WHERE entry_id = $1', [posted.entryId]),
      /final/,
    );
    await assert.rejects(db.query('DELETE FROM postings WHERE entry_id = $1', [posted.entryId]), /cannot be deleted/);
    await assert.rejects(db.query('DELETE FROM journal_entries WHERE id = $1', [posted.entryId]), /cannot be deleted/);
    await assert.rejects(
      db.query(`UPDATE journal_entries SET description = 'edited' WHERE id = $1`, [posted.entryId]),
      /cannot change/,
    );
    await assert.rejects(
      db.query(`UPDATE journal_entries SET status = 'voided', posted_at = NULL WHERE id = $1`, [posted.entryId]),
      /cannot change/,
    );
    await assert.rejects(db.query('TRUNCATE postings CASCADE'), /append-only/);
    await assert.rejects(
      db.query('UPDATE ledger_accounts SET balance_minor = -1 WHERE id = $1', [account]),
      /ledger_accounts_above_floor/,
    );
    await assert.rejects(
      db.query(
        `INSERT INTO postings (entry_id, ledger_account_id, currency, amount_minor, created_at) VALUES ($1, $2, 'USD', 1, now())`,
        [posted.entryId, account],
      ),
      /foreign key/,
    );
    assert.deepEqual(await checkLedgerInvariants(db), []);
  });

  it('reports violations when the books are broken', async (t) => {
    const { deps, services } = await buildTestApp(t);
    const account = await openLedgerAccount(deps.db, services.ledger);
    await post(services.ledger, settlement, account, 10_00n);
    // Simulate a bug that updates a cached balance behind the ledger's back.
    await deps.db.query('UPDATE ledger_accounts SET balance_minor = balance_minor + 1 WHERE id = $1', [account]);
    const violations = await checkLedgerInvariants(deps.db);
    assert.deepEqual(
      violations.map((v) => [v.invariant, v.subject]),
      [['cached balance differs from postings', account]],
    );
  });
});
