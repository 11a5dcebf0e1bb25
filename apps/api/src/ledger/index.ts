import type { Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { assert } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { Currency } from '../platform/money.ts';
import {
  commandToJson,
  type LedgerAccountKind,
  type LedgerAccountStatus,
  type LedgerCommand,
  type LedgerOutcome,
  movement,
  type NewEntry,
  outcomeFromJson,
} from './entries.ts';

export {
  assertBalanced,
  commandToJson,
  type LedgerCommand,
  type LedgerOutcome,
  type LedgerRejection,
  movement,
  type NewEntry,
  outcomeFromJson,
  type Posting,
} from './entries.ts';

/**
 * The ledger: double-entry accounts in integer minor units. Money moves only through the
 * ledger_apply SQL function (accounts are locked in id order there): `apply` sends it a whole batch
 * of commands in one round trip, and a module that writes its own rows in the same statement calls
 * it from SQL with commands built by `commandToJson` (payments_post). Other modules hold ledger
 * account ids, never ledger rows.
 */
export interface LedgerAccount {
  readonly id: string;
  readonly currency: Currency;
  readonly kind: LedgerAccountKind;
  readonly status: LedgerAccountStatus;
  readonly balanceMinor: bigint;
  readonly pendingDebitMinor: bigint;
  /** balance − pending debits: what the holder can spend (down to the floor). */
  readonly availableMinor: bigint;
  /** Lowest available balance allowed; null = no floor; negative = overdraft limit. */
  readonly floorMinor: bigint | null;
}

interface LedgerAccountRow {
  id: string;
  currency: Currency;
  kind: LedgerAccountKind;
  status: LedgerAccountStatus;
  balance_minor: bigint;
  pending_debit_minor: bigint;
  floor_minor: bigint | null;
}

const accountColumns = 'id, currency, kind, status, balance_minor, pending_debit_minor, floor_minor';

function toLedgerAccount(row: LedgerAccountRow): LedgerAccount {
  return {
    id: row.id,
    currency: row.currency,
    kind: row.kind,
    status: row.status,
    balanceMinor: row.balance_minor,
    pendingDebitMinor: row.pending_debit_minor,
    availableMinor: row.balance_minor - row.pending_debit_minor,
    floorMinor: row.floor_minor,
  };
}

/** The bank's own accounts are created per currency by migration 0020 under these ids. */
export function systemAccountId(kind: 'settlement' | 'suspense' | 'clearing', currency: Currency): string {
  return `lac_sys_${kind}_${currency.toLowerCase()}`;
}

/** Applies commands in order in `tx`; one outcome per command, a rejected one changed nothing. */
export async function applyLedgerCommands(tx: Queryable, commands: readonly LedgerCommand[]): Promise<LedgerOutcome[]> {
  if (commands.length === 0) return [];
  const { rows } = await tx.query<{ outcomes: Parameters<typeof outcomeFromJson>[0][] }>(
    'SELECT ledger_apply($1::jsonb) AS outcomes',
    [JSON.stringify(commands.map(commandToJson))],
  );
  const outcomes = rows[0]?.outcomes ?? [];
  assert(outcomes.length === commands.length, 'ledger_apply answers every command');
  return outcomes.map(outcomeFromJson);
}

export function createLedgerService(deps: Pick<AppDependencies, 'db'>) {
  const { db } = deps;
  const applyOne = async (command: LedgerCommand, tx?: Queryable): Promise<LedgerOutcome> => {
    const [outcome] = tx
      ? await applyLedgerCommands(tx, [command])
      : await db.transaction((t) => applyLedgerCommands(t, [command]));
    assert(outcome, 'one outcome per command');
    return outcome;
  };

  return {
    systemAccountId,
    /** Applies a batch in the caller's transaction: other modules write their rows beside it. */
    apply: applyLedgerCommands,

    /** Opens a ledger account; customer accounts get a floor of 0 (no overdraft) unless told otherwise. */
    async openAccount(
      tx: Queryable,
      input: { currency: Currency; kind: LedgerAccountKind; floorMinor?: bigint | null },
    ): Promise<string> {
      const id = newId('ledgerAccount');
      const floorMinor = input.floorMinor === undefined ? (input.kind === 'customer' ? 0n : null) : input.floorMinor;
      await tx.query('INSERT INTO ledger_accounts (id, currency, kind, floor_minor) VALUES ($1, $2, $3, $4)', [
        id,
        input.currency,
        input.kind,
        floorMinor,
      ]);
      return id;
    },

    async getAccounts(ids: readonly string[], tx: Queryable = db): Promise<Map<string, LedgerAccount>> {
      if (ids.length === 0) return new Map();
      const { rows } = await tx.query<LedgerAccountRow>(
        `SELECT ${accountColumns} FROM ledger_accounts WHERE id = ANY($1::text[])`,
        [ids],
      );
      return new Map(rows.map((row) => [row.id, toLedgerAccount(row)]));
    },

    /** Freezes or unfreezes an open account under its row lock; closed accounts stay closed. */
    async setStatus(tx: Queryable, id: string, status: 'open' | 'frozen'): Promise<LedgerAccountStatus | undefined> {
      const { rows } = await tx.query<{ status: LedgerAccountStatus }>(
        `UPDATE ledger_accounts SET status = CASE WHEN status = 'closed' THEN status ELSE $2 END,
           version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING status`,
        [id, status],
      );
      return rows[0]?.status;
    },

    /** Closes an account with a zero balance and no open holds; says why not otherwise. */
    async close(tx: Queryable, id: string): Promise<'closed' | 'not_empty' | 'already_closed'> {
      const { rows } = await tx.query<LedgerAccountRow>(
        `SELECT ${accountColumns} FROM ledger_accounts WHERE id = $1 FOR NO KEY UPDATE`,
        [id],
      );
      const account = rows[0];
      assert(account, `ledger account ${id} exists`);
      if (account.status === 'closed') return 'already_closed';
      if (account.balance_minor !== 0n || account.pending_debit_minor !== 0n) return 'not_empty';
      await tx.query(
        `UPDATE ledger_accounts SET status = 'closed', version = version + 1, updated_at = now() WHERE id = $1`,
        [id],
      );
      return 'closed';
    },

    /** Posts a balanced entry on its own (tests, tools); hot paths batch through `apply`. */
    postEntry: (entry: NewEntry, tx?: Queryable) => applyOne({ op: 'post', entry }, tx),

    /** Reserves funds: a pending entry moving `amountMinor` that lowers the debit side's available balance. */
    placeHold(
      input: {
        debitAccountId: string;
        creditAccountId: string;
        amountMinor: bigint;
        currency: Currency;
        kind?: NewEntry['kind'];
        description?: string;
      },
      tx?: Queryable,
    ) {
      const entry: NewEntry = {
        entryId: newId('journalEntry'),
        kind: input.kind ?? 'hold',
        description: input.description ?? '',
        metadata: {},
        postings: movement(input.debitAccountId, input.creditAccountId, input.amountMinor, input.currency),
      };
      return applyOne({ op: 'hold', entry }, tx);
    },

    /** Settles a hold, for its full amount or less (a partial capture releases the rest). */
    postHold: (holdEntryId: string, amountMinor?: bigint, tx?: Queryable) =>
      applyOne({ op: 'post_hold', holdEntryId, amountMinor }, tx),

    voidHold: (holdEntryId: string, tx?: Queryable) => applyOne({ op: 'void_hold', holdEntryId }, tx),

    /** Corrects a posted entry with a new, opposite entry; the original is marked reversed. */
    reverseEntry: (targetEntryId: string, description: string, tx?: Queryable) =>
      applyOne({ op: 'reverse', targetEntryId, reversalEntryId: newId('journalEntry'), description }, tx),
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;
