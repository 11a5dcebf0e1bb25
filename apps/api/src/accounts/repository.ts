import type { Cursor } from '../platform/cursors.ts';
import type { Queryable } from '../platform/database.ts';
import type { Currency } from '../platform/money.ts';

/** The accounts module's SQL. Every query that a customer drives is scoped by customer_id. */
export type AccountType = 'checking' | 'savings';
export type AccountStatus = 'open' | 'frozen' | 'closed';

export interface AccountRow {
  id: string;
  customer_id: string;
  ledger_account_id: string;
  type: AccountType;
  name: string;
  currency: Currency;
  iban: string;
  status: AccountStatus;
  frozen_by: 'customer' | 'bank' | null;
  created_at: Date;
  closed_at: Date | null;
  /** Creation time with microseconds, for keyset cursors. */
  cursor_at: string;
}

const accountSelect = `
  SELECT a.id, a.customer_id, a.ledger_account_id, a.type, a.name, a.currency, a.iban, a.status, a.frozen_by,
         a.created_at, a.closed_at, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_at
  FROM accounts a`;

export async function findCustomer(db: Queryable, customerId: string): Promise<{ status: string } | undefined> {
  // Read of identity's table until identity exposes a service function for it (noted in the report).
  // The holder's name is encrypted: it comes from the identity service (holderNames) instead.
  const { rows } = await db.query<{ status: string }>('SELECT status FROM customers WHERE id = $1', [customerId]);
  return rows[0];
}

export async function countOpenAccounts(db: Queryable, customerId: string): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    `SELECT count(*) AS count FROM accounts WHERE customer_id = $1 AND status <> 'closed'`,
    [customerId],
  );
  return Number(rows[0]?.count ?? 0);
}

/** Serialises account openings per customer, so the per-customer limit holds under concurrency. */
export async function lockCustomerAccounts(tx: Queryable, customerId: string): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7420020))', [customerId]);
  const { rows } = await tx.query<{ count: bigint }>(
    `SELECT count(*) AS count FROM accounts WHERE customer_id = $1 AND status <> 'closed'`,
    [customerId],
  );
  return Number(rows[0]?.count ?? 0n);
}

export async function insertAccount(
  tx: Queryable,
  account: {
    id: string;
    customerId: string;
    ledgerAccountId: string;
    type: AccountType;
    name: string;
    currency: Currency;
    iban: string;
    createdAt?: Date;
  },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO accounts (id, customer_id, ledger_account_id, type, name, currency, iban, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz, now()))
     ON CONFLICT (iban) DO NOTHING`,
    [
      account.id,
      account.customerId,
      account.ledgerAccountId,
      account.type,
      account.name,
      account.currency,
      account.iban,
      account.createdAt?.toISOString() ?? null,
    ],
  );
  return rowCount === 1;
}

/**
 * `forUpdate` takes FOR NO KEY UPDATE: it serialises status changes without blocking the KEY SHARE
 * locks that a posting batch's foreign keys take on this row while it holds the ledger row (which
 * a plain FOR UPDATE would turn into a deadlock).
 */
export async function findAccount(
  db: Queryable,
  accountId: string,
  options: { customerId?: string; forUpdate?: boolean } = {},
): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    `${accountSelect} WHERE a.id = $1 AND ($2::text IS NULL OR a.customer_id = $2)${options.forUpdate ? ' FOR NO KEY UPDATE OF a' : ''}`,
    [accountId, options.customerId ?? null],
  );
  return rows[0];
}

/**
 * Accounts by id or IBAN with their holders' encrypted names in the same statement: `holderName`
 * is identity's published column (holderNameCiphertextSql, passed in by app.ts), so this module
 * names no column of identity's table itself.
 */
export async function findAccountsByIdOrIban(
  db: Queryable,
  holderName: string,
  accountIds: readonly string[],
  ibans: readonly string[],
): Promise<(AccountRow & { holder_name_ciphertext: string | null })[]> {
  const { rows } = await db.query<AccountRow & { holder_name_ciphertext: string | null }>(
    `SELECT a.id, a.customer_id, a.ledger_account_id, a.type, a.name, a.currency, a.iban, a.status, a.frozen_by,
            a.created_at, a.closed_at, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_at,
            ${holderName}
     FROM accounts a WHERE a.id = ANY($1::text[]) OR a.iban = ANY($2::text[])`,
    [accountIds, ibans],
  );
  return rows;
}

export async function listAccounts(
  db: Queryable,
  customerId: string,
  page: { limit: number; after: Cursor | undefined },
): Promise<AccountRow[]> {
  const { rows } = await db.query<AccountRow>(
    `${accountSelect}
     WHERE a.customer_id = $1 AND ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2::timestamptz, $3::text))
     ORDER BY a.created_at DESC, a.id DESC LIMIT $4`,
    [customerId, page.after ? `${page.after.createdAt}Z` : null, page.after?.id ?? null, page.limit],
  );
  return rows;
}

export async function setAccountStatus(
  tx: Queryable,
  accountId: string,
  status: AccountStatus,
  frozenBy: 'customer' | 'bank' | null,
): Promise<void> {
  await tx.query(
    `UPDATE accounts SET status = $2, frozen_by = $3,
       closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE NULL END
     WHERE id = $1`,
    [accountId, status, frozenBy],
  );
}
