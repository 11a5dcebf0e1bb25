import type { Queryable } from '../platform/database.ts';

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
