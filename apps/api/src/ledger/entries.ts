import { assert } from '../platform/errors.ts';
import type { Currency } from '../platform/money.ts';

/**
 * Journal entries as values, and the invariants every entry must satisfy before it reaches the
 * database (which asserts them again: migrations/0020_ledger.sql). Pure: no I/O.
 */
export type LedgerAccountKind = 'customer' | 'settlement' | 'suspense' | 'clearing' | 'fees';
export type LedgerAccountStatus = 'open' | 'frozen' | 'closed';
export type EntryKind = 'transfer' | 'deposit' | 'purchase' | 'hold' | 'reversal' | 'adjustment';
export type EntryStatus = 'pending' | 'posted' | 'voided' | 'reversed';

/** One leg of an entry. Credit-positive: +100 credits the account, -100 debits it. */
export interface Posting {
  readonly ledgerAccountId: string;
  readonly currency: Currency;
  readonly amountMinor: bigint;
}

export interface NewEntry {
  readonly entryId: string;
  readonly kind: Exclude<EntryKind, 'reversal'>;
  readonly description: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly postings: readonly Posting[];
  /** Back-dated history (demo data, migrations from other systems); now when absent. */
  readonly createdAt?: Date;
  readonly effectiveAt?: Date;
}

export type LedgerCommand =
  | { readonly op: 'post'; readonly entry: NewEntry }
  | { readonly op: 'hold'; readonly entry: NewEntry }
  | { readonly op: 'post_hold'; readonly holdEntryId: string; readonly amountMinor?: bigint }
  | { readonly op: 'void_hold'; readonly holdEntryId: string }
  | {
      readonly op: 'reverse';
      readonly targetEntryId: string;
      readonly reversalEntryId: string;
      readonly description: string;
    };

/** Why the ledger refused a command; the command changed nothing. */
export type LedgerRejection =
  | 'insufficient_funds'
  | 'account_frozen'
  | 'account_closed'
  | 'currency_mismatch'
  | 'account_not_found'
  | 'same_account'
  | 'entry_not_found'
  | 'entry_not_pending'
  | 'entry_not_reversible'
  | 'amount_exceeds_hold';

export interface PostedLeg {
  readonly ledgerAccountId: string;
  readonly amountMinor: bigint;
  /** Posted balance right after this leg; null for pending or voided legs. */
  readonly balanceAfterMinor: bigint | null;
}

export type LedgerOutcome =
  | {
      readonly ok: true;
      readonly entryId: string;
      readonly status: EntryStatus;
      readonly createdAt: Date;
      readonly postedAt: Date | null;
      readonly legs: readonly PostedLeg[];
    }
  | { readonly ok: false; readonly code: LedgerRejection; readonly postingIndex: number | null };

/**
 * Asserts the double-entry invariants: two or more postings, none zero, each account once, and per
 * currency the amounts sum to zero. A failure is a programmer error, never a client's.
 */
export function assertBalanced(postings: readonly Posting[]): void {
  assert(postings.length >= 2, 'a journal entry needs at least two postings');
  const totals = new Map<string, bigint>();
  const accounts = new Set<string>();
  for (const posting of postings) {
    assert(posting.amountMinor !== 0n, 'a posting amount is never zero');
    assert(!accounts.has(posting.ledgerAccountId), 'an entry posts to each account once');
    accounts.add(posting.ledgerAccountId);
    totals.set(posting.currency, (totals.get(posting.currency) ?? 0n) + posting.amountMinor);
  }
  for (const [currency, total] of totals) assert(total === 0n, `postings in ${currency} sum to ${total}, not zero`);
}

/** A two-legged entry moving `amountMinor` from `debitAccountId` to `creditAccountId`. */
export function movement(
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
  currency: Currency,
): Posting[] {
  assert(amountMinor > 0n, 'a movement amount is positive');
  return [
    { ledgerAccountId: debitAccountId, currency, amountMinor: -amountMinor },
    { ledgerAccountId: creditAccountId, currency, amountMinor },
  ];
}

/** The JSON the ledger_apply SQL function reads (amounts as decimal strings). */
export function commandToJson(command: LedgerCommand): Record<string, unknown> {
  switch (command.op) {
    case 'post':
    case 'hold': {
      const { entry } = command;
      assertBalanced(entry.postings);
      if (command.op === 'hold') assert(entry.postings.length === 2, 'a hold has exactly two postings');
      return {
        op: command.op,
        entryId: entry.entryId,
        kind: entry.kind,
        description: entry.description,
        metadata: entry.metadata,
        createdAt: entry.createdAt?.toISOString(),
        effectiveAt: entry.effectiveAt?.toISOString(),
        postings: entry.postings.map((p) => ({
          account: p.ledgerAccountId,
          currency: p.currency,
          amountMinor: p.amountMinor.toString(),
        })),
      };
    }
    case 'post_hold':
      return { op: 'post_hold', targetEntryId: command.holdEntryId, amountMinor: command.amountMinor?.toString() };
    case 'void_hold':
      return { op: 'void_hold', targetEntryId: command.holdEntryId };
    case 'reverse':
      return {
        op: 'reverse',
        targetEntryId: command.targetEntryId,
        entryId: command.reversalEntryId,
        description: command.description,
      };
  }
}

interface OutcomeJson {
  ok: boolean;
  code?: LedgerRejection;
  postingIndex?: number | null;
  entryId?: string;
  status?: EntryStatus;
  createdAt?: string;
  postedAt?: string | null;
  postings?: { account: string; amountMinor: string; balanceAfterMinor: string | null }[];
}

export function outcomeFromJson(json: OutcomeJson): LedgerOutcome {
  if (!json.ok) return { ok: false, code: json.code as LedgerRejection, postingIndex: json.postingIndex ?? null };
  return {
    ok: true,
    entryId: String(json.entryId),
    status: json.status as EntryStatus,
    createdAt: new Date(String(json.createdAt)),
    postedAt: json.postedAt ? new Date(json.postedAt) : null,
    legs: (json.postings ?? []).map((leg) => ({
      ledgerAccountId: leg.account,
      amountMinor: BigInt(leg.amountMinor),
      balanceAfterMinor: leg.balanceAfterMinor === null ? null : BigInt(leg.balanceAfterMinor),
    })),
  };
}
