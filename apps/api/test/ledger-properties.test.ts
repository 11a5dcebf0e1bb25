import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLedgerInvariants } from '@nextgen/testkit';
import fc from 'fast-check';
import { type LedgerCommand, type LedgerOutcome, movement } from '../src/ledger/index.ts';
import { newId } from '../src/platform/ids.ts';
import type { Currency } from '../src/platform/money.ts';
import { buildTestApp } from './helper.ts';

/**
 * Random sequences of transfers, holds, captures, voids, reversals and concurrent bursts among
 * random accounts (two currencies, some with overdraft limits) keep the books sound, and the ledger
 * refuses exactly the movements a simple model says would break a floor.
 */
type Step =
  | { kind: 'post'; from: number; to: number; amountMinor: bigint }
  | { kind: 'hold'; from: number; to: number; amountMinor: bigint }
  | { kind: 'capture'; hold: number; percent: number }
  | { kind: 'void'; hold: number }
  | { kind: 'reverse'; entry: number }
  | { kind: 'burst'; moves: { from: number; to: number; amountMinor: bigint }[] };

interface Model {
  readonly ids: string[];
  readonly currencies: Currency[];
  readonly floors: (bigint | null)[];
  readonly balances: bigint[];
  readonly pending: bigint[];
  readonly holds: { id: string; from: number; amountMinor: bigint }[];
  readonly entries: string[];
}

const accountCount = 6;
const index = fc.integer({ min: 0, max: accountCount - 1 });
const amount = fc.bigInt({ min: 1n, max: 4_000n });
const move = fc.record({ from: index, to: index, amountMinor: amount });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: move.map((m) => ({ kind: 'post' as const, ...m })) },
  { weight: 2, arbitrary: move.map((m) => ({ kind: 'hold' as const, ...m })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ hold: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) })
      .map((s) => ({ kind: 'capture' as const, ...s })),
  },
  { weight: 1, arbitrary: fc.record({ hold: fc.nat() }).map((s) => ({ kind: 'void' as const, ...s })) },
  { weight: 1, arbitrary: fc.record({ entry: fc.nat() }).map((s) => ({ kind: 'reverse' as const, ...s })) },
  {
    weight: 1,
    arbitrary: fc.array(move, { minLength: 2, maxLength: 8 }).map((moves) => ({ kind: 'burst' as const, moves })),
  },
);
const floorChoice = fc.constantFrom<bigint | null>(0n, 0n, -2_000n, null);

function entryCommand(model: Model, op: 'post' | 'hold', from: number, to: number, amountMinor: bigint): LedgerCommand {
  const currency = model.currencies[from] ?? 'EUR';
  const postings = movement(model.ids[from] ?? '', model.ids[to] ?? '', amountMinor, currency);
  return {
    op,
    entry: {
      entryId: newId('journalEntry'),
      kind: op === 'hold' ? 'hold' : 'transfer',
      description: '',
      metadata: {},
      postings,
    },
  };
}

/** What the model expects the ledger to answer for a post or hold, given balances before it. */
function expectedCode(model: Model, from: number, to: number, amountMinor: bigint): string {
  if (from === to) return 'same_account';
  if (model.currencies[from] !== model.currencies[to]) return 'currency_mismatch';
  const floor = model.floors[from];
  const availableMinor = (model.balances[from] ?? 0n) - (model.pending[from] ?? 0n);
  if (floor !== null && floor !== undefined && availableMinor - amountMinor < floor) return 'insufficient_funds';
  return 'ok';
}

function applyOutcome(model: Model, outcome: LedgerOutcome, pendingDelta: Map<number, bigint>) {
  if (!outcome.ok) return;
  for (const leg of outcome.legs) {
    const i = model.ids.indexOf(leg.ledgerAccountId);
    if (i < 0) continue; // the bank's settlement account is outside the model
    if (outcome.status === 'posted') model.balances[i] = (model.balances[i] ?? 0n) + leg.amountMinor;
  }
  for (const [i, delta] of pendingDelta) model.pending[i] = (model.pending[i] ?? 0n) + delta;
}

describe('ledger properties', () => {
  it('keeps every invariant over random sequences of ledger operations', async (t) => {
    const { deps, services } = await buildTestApp(t);
    const { db } = deps;
    const { ledger } = services;
    const apply = (command: LedgerCommand) =>
      db.transaction(async (tx) => (await ledger.apply(tx, [command]))[0] as LedgerOutcome);

    await fc.assert(
      fc.asyncProperty(
        fc.array(floorChoice, { minLength: accountCount, maxLength: accountCount }),
        fc.array(step, { minLength: 5, maxLength: 30 }),
        async (floors, steps) => {
          const currencies: Currency[] = floors.map((_, i) => (i === accountCount - 1 ? 'USD' : 'EUR'));
          const ids = await db.transaction(async (tx) => {
            const opened: string[] = [];
            for (const [i, floorMinor] of floors.entries()) {
              opened.push(
                await ledger.openAccount(tx, { currency: currencies[i] ?? 'EUR', kind: 'customer', floorMinor }),
              );
            }
            return opened;
          });
          const model: Model = {
            ids,
            currencies,
            floors,
            balances: ids.map(() => 0n),
            pending: ids.map(() => 0n),
            holds: [],
            entries: [],
          };
          for (const [i, id] of ids.entries()) {
            const currency = currencies[i] ?? 'EUR';
            const funded = await ledger.postEntry({
              entryId: newId('journalEntry'),
              kind: 'deposit',
              description: '',
              metadata: {},
              postings: movement(ledger.systemAccountId('settlement', currency), id, 5_000n, currency),
            });
            applyOutcome(model, funded, new Map());
          }

          for (const s of steps) {
            if (s.kind === 'post' || s.kind === 'hold') {
              const want = expectedCode(model, s.from, s.to, s.amountMinor);
              if (want === 'same_account') continue; // the TypeScript assertion refuses it before the database
              const outcome = await apply(entryCommand(model, s.kind, s.from, s.to, s.amountMinor));
              assert.equal(outcome.ok ? 'ok' : outcome.code, want);
              if (!outcome.ok) continue;
              if (s.kind === 'hold') {
                model.holds.push({ id: outcome.entryId, from: s.from, amountMinor: s.amountMinor });
                applyOutcome(model, outcome, new Map([[s.from, s.amountMinor]]));
              } else {
                model.entries.push(outcome.entryId);
                applyOutcome(model, outcome, new Map());
              }
            } else if (s.kind === 'capture' || s.kind === 'void') {
              const hold = model.holds[s.hold % Math.max(1, model.holds.length)];
              if (!hold) continue;
              const captureMinor =
                s.kind === 'capture' ? (hold.amountMinor * BigInt(s.percent) + 99n) / 100n : undefined;
              const outcome = await apply(
                s.kind === 'capture'
                  ? { op: 'post_hold', holdEntryId: hold.id, amountMinor: captureMinor }
                  : { op: 'void_hold', holdEntryId: hold.id },
              );
              model.holds.splice(model.holds.indexOf(hold), 1);
              assert.equal(outcome.ok, true);
              applyOutcome(model, outcome, new Map([[hold.from, -hold.amountMinor]]));
              if (s.kind === 'capture') model.entries.push(hold.id);
            } else if (s.kind === 'reverse') {
              const entryId = model.entries[s.entry % Math.max(1, model.entries.length)];
              if (!entryId) continue;
              const outcome = await apply({
                op: 'reverse',
                targetEntryId: entryId,
                reversalEntryId: newId('journalEntry'),
                description: '',
              });
              assert.ok(outcome.ok || outcome.code === 'insufficient_funds', outcome.ok ? '' : outcome.code);
              if (outcome.ok) model.entries.splice(model.entries.indexOf(entryId), 1);
              applyOutcome(model, outcome, new Map());
            } else {
              // Concurrent transactions over overlapping accounts: locks in id order, no deadlock, no lost update.
              const moves = s.moves.filter((m) => m.from !== m.to && currencies[m.from] === currencies[m.to]);
              const outcomes = await Promise.all(
                moves.map((m) => apply(entryCommand(model, 'post', m.from, m.to, m.amountMinor))),
              );
              for (const outcome of outcomes) {
                assert.ok(outcome.ok || outcome.code === 'insufficient_funds');
                if (outcome.ok) model.entries.push(outcome.entryId);
                applyOutcome(model, outcome, new Map());
              }
            }
          }

          const accounts = await ledger.getAccounts(ids);
          assert.deepEqual(
            ids.map((id) => accounts.get(id)?.balanceMinor),
            model.balances,
          );
          assert.deepEqual(
            ids.map((id) => accounts.get(id)?.pendingDebitMinor),
            model.pending,
          );
          assert.deepEqual(await checkLedgerInvariants(db), []);
        },
      ),
      { numRuns: 100 },
    );
  });
});
