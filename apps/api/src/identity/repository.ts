import type { Queryable } from '../platform/database.ts';

/**
 * The identity module's SQL: the customers table (migrations 0002, 0037) and its events. Personal
 * data columns hold `pd1.` ciphertexts from the vault; the e-mail is found by its blind index.
 */
export interface CustomerRow {
  id: string;
  name_ciphertext: string;
  email_ciphertext: string;
  phone_ciphertext: string | null;
  address_ciphertext: string | null;
  password_hash: string;
  status: 'active' | 'locked' | 'closed' | 'erased';
  created_at: Date;
  erased_at: Date | null;
}

const customerColumns =
  'id, name_ciphertext, email_ciphertext, phone_ciphertext, address_ciphertext, password_hash, status, created_at, erased_at';

/** Inserts the customer; returns undefined when the e-mail (by its blind index) is already taken. */
export async function insertCustomer(
  db: Queryable,
  customer: { id: string; nameCiphertext: string; emailCiphertext: string; emailIndex: string; passwordHash: string },
): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(
    `INSERT INTO customers (id, name_ciphertext, email_ciphertext, email_index, password_hash)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (email_index) DO NOTHING
     RETURNING ${customerColumns}`,
    [customer.id, customer.nameCiphertext, customer.emailCiphertext, customer.emailIndex, customer.passwordHash],
  );
  return rows[0];
}

export { insertOutboxEvent } from '../platform/outbox.ts';

/** Encrypted rows only: a row still awaiting the start-up backfill is not served. */
export async function findCustomerById(db: Queryable, id: string): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(
    `SELECT ${customerColumns} FROM customers WHERE id = $1 AND name_ciphertext IS NOT NULL`,
    [id],
  );
  return rows[0];
}

/**
 * Identity's published read of a holder's encrypted name, for another module's query to carry in
 * its one statement (the payments party lookup): a scalar subquery on `customers` by the customer
 * id column the caller names. The caller passes the ciphertexts back to identity to decrypt
 * (holderNamesOf); NULL when the row has no encrypted name yet.
 */
export const holderNameCiphertextSql = (customerIdColumn: 'a.customer_id') =>
  `(SELECT c.name_ciphertext FROM customers c WHERE c.id = ${customerIdColumn}) AS holder_name_ciphertext`;

export async function findCustomersByIds(db: Queryable, ids: readonly string[]): Promise<CustomerRow[]> {
  const { rows } = await db.query<CustomerRow>(
    `SELECT ${customerColumns} FROM customers WHERE id = ANY($1::text[]) AND name_ciphertext IS NOT NULL`,
    [ids],
  );
  return rows;
}

export async function findCustomerByEmailIndex(db: Queryable, emailIndex: string): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(`SELECT ${customerColumns} FROM customers WHERE email_index = $1`, [
    emailIndex,
  ]);
  return rows[0];
}

export async function emailIndexTaken(db: Queryable, emailIndex: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM customers WHERE email_index = $1', [emailIndex]);
  return rows.length > 0;
}

export type CustomerStatus = CustomerRow['status'];

/** The customer's status alone (the admission check); undefined when there is no such customer. */
export async function customerStatus(db: Queryable, id: string): Promise<CustomerStatus | undefined> {
  const { rows } = await db.query<{ status: CustomerStatus }>('SELECT status FROM customers WHERE id = $1', [id]);
  return rows[0]?.status;
}

/** Sets a customer's status (locking, closing, reopening); false when there is no such unerased customer. */
export async function setCustomerStatus(
  db: Queryable,
  id: string,
  status: Exclude<CustomerStatus, 'erased'>,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE customers SET status = $2, updated_at = now() WHERE id = $1 AND status <> 'erased'`,
    [id, status],
  );
  return rowCount === 1;
}

/**
 * Moves a customer from `from` to `to` only if `from` is still their status (a compare-and-set, so
 * an approval executed after another change finds it changed). Undefined when there is no such
 * customer; otherwise the status before and whether it moved.
 */
export async function changeCustomerStatus(
  tx: Queryable,
  id: string,
  change: { from: CustomerStatus; to: Exclude<CustomerStatus, 'erased'> },
): Promise<{ before: CustomerStatus; changed: boolean } | undefined> {
  const { rows } = await tx.query<{ status: CustomerStatus }>('SELECT status FROM customers WHERE id = $1 FOR UPDATE', [
    id,
  ]);
  const before = rows[0]?.status;
  if (before === undefined) return undefined;
  if (before !== change.from) return { before, changed: false };
  await tx.query('UPDATE customers SET status = $2, updated_at = now() WHERE id = $1', [id, change.to]);
  return { before, changed: true };
}

/** Locks the customer's row for a profile change or erasure. */
export async function lockCustomer(tx: Queryable, id: string): Promise<CustomerRow | undefined> {
  const { rows } = await tx.query<CustomerRow>(
    `SELECT ${customerColumns} FROM customers WHERE id = $1 AND name_ciphertext IS NOT NULL FOR UPDATE`,
    [id],
  );
  return rows[0];
}

/**
 * Writes the changed encrypted fields (undefined leaves a column as it is, null clears it).
 * False when the new e-mail's blind index belongs to another customer.
 */
export async function updatePersonalData(
  tx: Queryable,
  id: string,
  change: {
    nameCiphertext?: string | undefined;
    emailCiphertext?: string | undefined;
    emailIndex?: string | undefined;
    phoneCiphertext?: string | null | undefined;
    addressCiphertext?: string | null | undefined;
  },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE customers SET
       name_ciphertext = coalesce($2, name_ciphertext),
       email_ciphertext = coalesce($3, email_ciphertext),
       email_index = coalesce($4, email_index),
       phone_ciphertext = CASE WHEN $5::boolean THEN $6 ELSE phone_ciphertext END,
       address_ciphertext = CASE WHEN $7::boolean THEN $8 ELSE address_ciphertext END,
       updated_at = now()
     WHERE id = $1 AND ($4::text IS NULL OR NOT EXISTS (SELECT 1 FROM customers o WHERE o.email_index = $4 AND o.id <> $1))`,
    [
      id,
      change.nameCiphertext ?? null,
      change.emailCiphertext ?? null,
      change.emailIndex ?? null,
      change.phoneCiphertext !== undefined,
      change.phoneCiphertext ?? null,
      change.addressCiphertext !== undefined,
      change.addressCiphertext ?? null,
    ],
  );
  return rowCount === 1;
}

/**
 * Detaches the person from the row: no e-mail index (the address may register again and no longer
 * finds this row), status erased. The ciphertexts stay; their key is destroyed in the same transaction.
 */
export async function markErased(tx: Queryable, id: string): Promise<void> {
  await tx.query(
    `UPDATE customers SET status = 'erased', erased_at = now(), email_index = NULL, updated_at = now() WHERE id = $1`,
    [id],
  );
}

// ---- Start-up backfill of rows written before migration 0037 -----------------------------------

export interface PlaintextCustomerRow {
  id: string;
  name: string;
  email: string;
  email_normalized: string;
}

export async function findPlaintextCustomers(db: Queryable, limit: number): Promise<PlaintextCustomerRow[]> {
  const { rows } = await db.query<PlaintextCustomerRow>(
    `SELECT id, name, email, email_normalized FROM customers
     WHERE name_ciphertext IS NULL AND name IS NOT NULL
     ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Stores the ciphertexts and empties the plaintext in one statement; false when another process did it first. */
export async function replacePlaintext(
  db: Queryable,
  id: string,
  encrypted: { nameCiphertext: string; emailCiphertext: string; emailIndex: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE customers SET name_ciphertext = $2, email_ciphertext = $3, email_index = $4,
       name = NULL, email = NULL, email_normalized = NULL, updated_at = now()
     WHERE id = $1 AND name_ciphertext IS NULL`,
    [id, encrypted.nameCiphertext, encrypted.emailCiphertext, encrypted.emailIndex],
  );
  return rowCount === 1;
}

/** Revoked grants (migration 0065): kept until their last access token expired; expired rows are purged in passing. */
export async function insertRevokedGrant(db: Queryable, grantId: string, rememberS: number): Promise<void> {
  await db.query(
    `INSERT INTO revoked_grants (grant_id, expires_at) VALUES ($1, now() + make_interval(secs => $2::float8))
     ON CONFLICT (grant_id) DO UPDATE SET expires_at = GREATEST(revoked_grants.expires_at, EXCLUDED.expires_at)`,
    [grantId, rememberS],
  );
  await db.query(
    `DELETE FROM revoked_grants WHERE grant_id IN (
       SELECT grant_id FROM revoked_grants WHERE expires_at < now() LIMIT 100)`,
  );
}

export async function isGrantRevoked(db: Queryable, grantId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM revoked_grants WHERE grant_id = $1 AND expires_at > now()', [grantId]);
  return rows.length > 0;
}
