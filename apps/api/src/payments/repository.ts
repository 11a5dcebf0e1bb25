import type { LineStatusReason } from '../accounts/index.ts';
import type { Queryable } from '../platform/database.ts';
import type { TransferRecord, TransferStatus } from './movements.ts';

/** The payments module's SQL beyond the posting function (payments_post): step-up facts and payees. */

/** Of the (customer, payee account) pairs, those where the customer has paid that account before. */
export async function paidBefore(
  db: Queryable,
  pairs: readonly { customerId: string; accountId: string }[],
): Promise<Set<string>> {
  const { rows } = await db.query<{ customer_id: string; account_id: string }>(
    `SELECT k.customer_id, k.account_id FROM unnest($1::text[], $2::text[]) AS k (customer_id, account_id)
     WHERE EXISTS (SELECT 1 FROM transfers t WHERE t.customer_id = k.customer_id AND t.to_account_id = k.account_id)`,
    [pairs.map((p) => p.customerId), pairs.map((p) => p.accountId)],
  );
  return new Set(rows.map((r) => pairKey(r.customer_id, r.account_id)));
}

export const pairKey = (customerId: string, accountId: string) => `${customerId} ${accountId}`;

/** Records that the customer approved this transfer with a passkey, before it posts (migration 0076). */
export async function recordPaymentApproval(
  db: Queryable,
  approval: { transferId: string; customerId: string; challengeId: string },
): Promise<void> {
  await db.query('INSERT INTO payment_approvals (transfer_id, customer_id, challenge_id) VALUES ($1, $2, $3)', [
    approval.transferId,
    approval.customerId,
    approval.challengeId,
  ]);
}

// ---- Transfers ---------------------------------------------------------------------------------

interface TransferRow {
  id: string;
  customer_id: string;
  from_account_id: string;
  to_account_id: string;
  to_own_account: boolean;
  journal_entry_id: string;
  amount_minor: bigint;
  currency: string;
  reference: string;
  counterparty_name: string;
  counterparty_iban: string;
  status: TransferStatus;
  risk_decision_id: string | null;
  created_at: Date;
  posted_at: Date | null;
}

const transferColumns = `id, customer_id, from_account_id, to_account_id, to_own_account, journal_entry_id, amount_minor,
  currency, reference, counterparty_name, counterparty_iban, status, risk_decision_id, created_at, posted_at`;

function fromRow(row: TransferRow): TransferRecord {
  return {
    id: row.id,
    customerId: row.customer_id,
    fromAccountId: row.from_account_id,
    toAccountId: row.to_account_id,
    toOwnAccount: row.to_own_account,
    journalEntryId: row.journal_entry_id,
    amountMinor: row.amount_minor,
    currency: row.currency,
    reference: row.reference,
    counterpartyName: row.counterparty_name,
    counterpartyIban: row.counterparty_iban,
    status: row.status,
    riskDecisionId: row.risk_decision_id,
    createdAt: row.created_at,
    postedAt: row.posted_at,
  };
}

/** One transfer; of one customer when `customerId` is given. `forUpdate` locks its row (a review). */
export async function findTransfer(
  db: Queryable,
  transferId: string,
  customerId?: string,
  forUpdate = false,
): Promise<TransferRecord | undefined> {
  const { rows } = await db.query<TransferRow>(
    `SELECT ${transferColumns} FROM transfers WHERE id = $1 AND ($2::text IS NULL OR customer_id = $2)${forUpdate ? ' FOR UPDATE' : ''}`,
    [transferId, customerId ?? null],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Held transfers, oldest first (the review queue; ids sort by creation time), after the id `after`. */
export async function heldTransfers(
  db: Queryable,
  limit: number,
  after: string | undefined,
): Promise<TransferRecord[]> {
  const { rows } = await db.query<TransferRow>(
    `SELECT ${transferColumns} FROM transfers WHERE status = 'held' AND ($2::text IS NULL OR id > $2)
     ORDER BY id LIMIT $1`,
    [limit, after ?? null],
  );
  return rows.map(fromRow);
}

/** A held transfer decided: its status, and when it posted (approved) or null (rejected). */
export async function settleTransfer(
  tx: Queryable,
  transferId: string,
  status: 'posted' | 'rejected',
  postedAt: Date | null,
): Promise<void> {
  await tx.query(`UPDATE transfers SET status = $2, posted_at = $3 WHERE id = $1 AND status = 'held'`, [
    transferId,
    status,
    postedAt,
  ]);
}

/**
 * The sender's pending history line of a held transfer, once decided: posted with the balance the
 * ledger reached, or voided (no balance: nothing moved) with the reason the customer is shown.
 */
export async function settleHeldLine(
  tx: Queryable,
  entryId: string,
  settled: {
    status: 'posted' | 'voided';
    balanceAfterMinor: bigint | null;
    postedAt: Date | null;
    statusReason?: LineStatusReason;
  },
): Promise<void> {
  await tx.query(
    `UPDATE account_transactions SET status = $2, balance_after_minor = $3, posted_at = $4, status_reason = $5
     WHERE entry_id = $1 AND direction = 'debit' AND status = 'pending'`,
    [
      entryId,
      settled.status,
      settled.balanceAfterMinor?.toString() ?? null,
      settled.postedAt,
      settled.statusReason ?? null,
    ],
  );
}

/** A history line written outside payments_post (the payee's credit when a held transfer posts). */
export async function insertStatementLine(
  tx: Queryable,
  row: Record<string, unknown>,
  posted: { balanceAfterMinor: bigint; createdAt: Date; postedAt: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO account_transactions (id, customer_id, account_id, entry_id, direction, amount_minor, currency,
       currency_exponent, balance_after_minor, status, description, counterparty_name, counterparty_iban, created_at, posted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      row.id,
      row.customer_id,
      row.account_id,
      row.entry_id,
      row.direction,
      row.amount_minor,
      row.currency,
      row.currency_exponent,
      posted.balanceAfterMinor.toString(),
      row.status,
      row.description,
      row.counterparty_name,
      row.counterparty_iban,
      posted.createdAt,
      posted.postedAt,
    ],
  );
}

// ---- Payees ------------------------------------------------------------------------------------

export type PayeeConfirmation = 'match' | 'close_match' | 'no_match' | 'not_checked';

export interface PayeeRow {
  id: string;
  customer_id: string;
  name_ciphertext: string;
  masked_iban: string;
  reference: string;
  confirmation: PayeeConfirmation;
  created_at: Date;
  /** Creation time with microseconds, for keyset cursors. */
  cursor_at: string;
}

const payeeColumns = `id, customer_id, name_ciphertext, masked_iban, reference, confirmation, created_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_at`;

/** Serialises payee changes per customer, so the per-customer limit holds under concurrency. */
export async function lockCustomerPayees(tx: Queryable, customerId: string): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7420034))', [customerId]);
  const { rows } = await tx.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM payees WHERE customer_id = $1',
    [customerId],
  );
  return rows[0]?.count ?? 0;
}

/** Inserts a payee; undefined when the customer already saved this IBAN (same blind index). */
export async function insertPayee(
  tx: Queryable,
  payee: {
    id: string;
    customerId: string;
    nameCiphertext: string;
    ibanCiphertext: string;
    ibanIndex: string;
    maskedIban: string;
    reference: string;
    confirmation: PayeeConfirmation;
  },
): Promise<PayeeRow | undefined> {
  const { rows } = await tx.query<PayeeRow>(
    `INSERT INTO payees (id, customer_id, name_ciphertext, iban_ciphertext, iban_index, masked_iban, reference, confirmation)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (customer_id, iban_index) DO NOTHING
     RETURNING ${payeeColumns}`,
    [
      payee.id,
      payee.customerId,
      payee.nameCiphertext,
      payee.ibanCiphertext,
      payee.ibanIndex,
      payee.maskedIban,
      payee.reference,
      payee.confirmation,
    ],
  );
  return rows[0];
}

export async function listPayees(
  db: Queryable,
  customerId: string,
  page: { limit: number; after: { createdAt: string; id: string } | undefined },
): Promise<PayeeRow[]> {
  const { rows } = await db.query<PayeeRow>(
    `SELECT ${payeeColumns} FROM payees
     WHERE customer_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [customerId, page.after ? `${page.after.createdAt}Z` : null, page.after?.id ?? null, page.limit],
  );
  return rows;
}

/** The stored IBAN of one of the customer's payees (still encrypted); undefined when they have no such payee. */
export async function findPayeeIbanCiphertext(
  db: Queryable,
  customerId: string,
  payeeId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ iban_ciphertext: string }>(
    'SELECT iban_ciphertext FROM payees WHERE id = $1 AND customer_id = $2',
    [payeeId, customerId],
  );
  return rows[0]?.iban_ciphertext;
}

export async function deletePayee(tx: Queryable, customerId: string, payeeId: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM payees WHERE id = $1 AND customer_id = $2', [payeeId, customerId]);
  return rowCount === 1;
}
