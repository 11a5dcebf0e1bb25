import type { Cursor } from '../platform/cursors.ts';
import type { Queryable } from '../platform/database.ts';
import { newId } from '../platform/ids.ts';
import { type Currency, currencyExponents } from '../platform/money.ts';

/**
 * The transaction history read model (docs/adr/0022): one row per customer-account side of a
 * journal entry, written by the module that posts the entry, in the same transaction.
 */
export type Direction = 'credit' | 'debit';
export type LineStatus = 'pending' | 'posted' | 'voided' | 'reversed';
/**
 * Why a line ended as it did, when the bank knows (migration 0097): `review_rejected`, a held transfer
 * a fraud analyst rejected (its line voided). Null on every other line. More reasons will come (an
 * expired card authorisation, a payment returned by the payee's bank): clients treat an unknown one
 * as none.
 */
export const lineStatusReasons = ['review_rejected'] as const;
export type LineStatusReason = (typeof lineStatusReasons)[number];

/**
 * A history line, written in the same statement as its journal entry before the ledger has posted
 * it: its times and balance come from the posting, so the module that posts fills them in
 * (payments_post, migration 0025). `balanceAfterLeg` is the index of the entry's leg on this account.
 */
export interface StatementLine {
  readonly customerId: string;
  readonly accountId: string;
  readonly entryId: string;
  readonly direction: Direction;
  /** Positive; the direction says which way it moved. */
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly balanceAfterLeg: number;
  readonly status: LineStatus;
  readonly description: string;
  readonly counterpartyName: string | null;
  readonly counterpartyIban: string | null;
}

/**
 * A line's account_transactions row, as JSON so bigint amounts stay exact. payments_post (migration
 * 0025) inserts it with balance_after_minor, created_at and posted_at taken from the posting.
 */
export function statementLineRow(line: StatementLine): Record<string, unknown> {
  return {
    id: newId('accountTransaction'),
    customer_id: line.customerId,
    account_id: line.accountId,
    entry_id: line.entryId,
    direction: line.direction,
    amount_minor: line.amountMinor.toString(),
    currency: line.currency,
    currency_exponent: currencyExponents[line.currency],
    status: line.status,
    description: line.description,
    counterparty_name: line.counterpartyName,
    counterparty_iban: line.counterpartyIban,
    balance_after_leg: line.balanceAfterLeg,
  };
}

export interface HistoryFilters {
  readonly accountId?: string;
  readonly from?: string;
  readonly to?: string;
  /** Absolute amounts in major units, as validated decimal strings. */
  readonly minAmount?: string;
  readonly maxAmount?: string;
  readonly status?: LineStatus;
  readonly direction?: Direction;
  readonly q?: string;
  readonly limit: number;
  readonly after?: Cursor;
}

export interface HistoryRow {
  id: string;
  account_id: string;
  direction: Direction;
  amount_minor: bigint;
  currency: Currency;
  balance_after_minor: bigint | null;
  status: LineStatus;
  status_reason: LineStatusReason | null;
  description: string;
  counterparty_name: string | null;
  counterparty_iban: string | null;
  category: string | null;
  created_at: Date;
  posted_at: Date | null;
  cursor_at: string;
}

/**
 * `q` matches the description literally (LIKE's wildcards and its escape character are escaped),
 * never the counterparty's name: the customer sees that name masked, and matching the full one
 * would let them spell it out letter by letter (issue 12, defect 8).
 */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page, newest first, keyset on (created_at, id): a page never repeats or skips rows that
 * existed when the first page was read, whatever is inserted meanwhile. Served by the
 * (customer_id | account_id, created_at DESC, id DESC) indexes.
 */
export async function queryHistory(db: Queryable, customerId: string, filters: HistoryFilters): Promise<HistoryRow[]> {
  const { rows } = await db.query<HistoryRow>(
    `SELECT id, account_id, direction, amount_minor, currency, balance_after_minor, status, status_reason,
            description, counterparty_name, counterparty_iban, category, created_at, posted_at,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_at
     FROM account_transactions
     WHERE customer_id = $1
       AND ($2::text IS NULL OR account_id = $2)
       AND ($3::timestamptz IS NULL OR created_at >= $3)
       AND ($4::timestamptz IS NULL OR created_at <= $4)
       AND ($5::numeric IS NULL OR amount_minor >= $5::numeric * power(10::numeric, currency_exponent))
       AND ($6::numeric IS NULL OR amount_minor <= $6::numeric * power(10::numeric, currency_exponent))
       AND ($7::text IS NULL OR status = $7)
       AND ($8::text IS NULL OR direction = $8)
       AND ($9::text IS NULL OR description ILIKE $9)
       AND ($10::timestamptz IS NULL OR (created_at, id) < ($10::timestamptz, $11::text))
     ORDER BY created_at DESC, id DESC
     LIMIT $12`,
    [
      customerId,
      filters.accountId ?? null,
      filters.from ?? null,
      filters.to ?? null,
      filters.minAmount ?? null,
      filters.maxAmount ?? null,
      filters.status ?? null,
      filters.direction ?? null,
      filters.q === undefined ? null : likePattern(filters.q),
      filters.after ? `${filters.after.createdAt}Z` : null,
      filters.after?.id ?? null,
      filters.limit,
    ],
  );
  return rows;
}
