import type { Queryable } from '../database.ts';
import type { WrappedDataKey } from './key-management.ts';

/** The vault's SQL: customer_data_keys and vault_keys (migration 0036). Wrapped keys are stored base64. */
export type StoredDataKey =
  | { readonly state: 'live'; readonly key: WrappedDataKey }
  | { readonly state: 'destroyed'; readonly destroyedAt: Date };

interface DataKeyRow {
  wrapped_key: string | null;
  kek_id: string | null;
  destroyed_at: Date | null;
}

const toStored = (row: DataKeyRow): StoredDataKey =>
  row.wrapped_key !== null && row.kek_id !== null
    ? { state: 'live', key: { wrappedKey: Buffer.from(row.wrapped_key, 'base64'), kekId: row.kek_id } }
    : { state: 'destroyed', destroyedAt: row.destroyed_at ?? new Date(0) };

export async function findDataKey(db: Queryable, customerId: string): Promise<StoredDataKey | undefined> {
  const { rows } = await db.query<DataKeyRow>(
    'SELECT wrapped_key, kek_id, destroyed_at FROM customer_data_keys WHERE customer_id = $1',
    [customerId],
  );
  return rows[0] && toStored(rows[0]);
}

/** Stores a new data key unless the customer has one already (a concurrent first write won); true when stored. */
export async function insertDataKey(db: Queryable, customerId: string, key: WrappedDataKey): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO customer_data_keys (customer_id, wrapped_key, kek_id) VALUES ($1, $2, $3)
     ON CONFLICT (customer_id) DO NOTHING`,
    [customerId, key.wrappedKey.toString('base64'), key.kekId],
  );
  return rowCount === 1;
}

/**
 * Crypto-shredding: forgets the wrapped key. Also records a destroyed key for a customer who never
 * had one, so nothing can be encrypted for them afterwards. True when this call destroyed it.
 */
export async function destroyDataKey(db: Queryable, customerId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO customer_data_keys (customer_id, wrapped_key, kek_id, destroyed_at) VALUES ($1, NULL, NULL, now())
     ON CONFLICT (customer_id) DO UPDATE SET wrapped_key = NULL, kek_id = NULL, destroyed_at = now()
     WHERE customer_data_keys.destroyed_at IS NULL`,
    [customerId],
  );
  return rowCount === 1;
}

/** Live data keys wrapped under another KEK than `currentKekId`, locked for re-wrapping; others skip them. */
export async function lockStaleDataKeys(
  tx: Queryable,
  currentKekId: string,
  limit: number,
): Promise<{ customerId: string; key: WrappedDataKey }[]> {
  const { rows } = await tx.query<{ customer_id: string; wrapped_key: string; kek_id: string }>(
    `SELECT customer_id, wrapped_key, kek_id FROM customer_data_keys
     WHERE wrapped_key IS NOT NULL AND kek_id <> $1
     ORDER BY customer_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [currentKekId, limit],
  );
  return rows.map((r) => ({
    customerId: r.customer_id,
    key: { wrappedKey: Buffer.from(r.wrapped_key, 'base64'), kekId: r.kek_id },
  }));
}

export async function updateWrappedDataKey(tx: Queryable, customerId: string, key: WrappedDataKey): Promise<void> {
  await tx.query(
    `UPDATE customer_data_keys SET wrapped_key = $2, kek_id = $3, rewrapped_at = now()
     WHERE customer_id = $1 AND destroyed_at IS NULL`,
    [customerId, key.wrappedKey.toString('base64'), key.kekId],
  );
}

export async function countDataKeys(
  db: Queryable,
  currentKekId: string,
): Promise<{ current: number; stale: number; destroyed: number }> {
  const { rows } = await db.query<{ current: number; stale: number; destroyed: number }>(
    `SELECT count(*) FILTER (WHERE kek_id = $1)::int AS current,
            count(*) FILTER (WHERE wrapped_key IS NOT NULL AND kek_id <> $1)::int AS stale,
            count(*) FILTER (WHERE destroyed_at IS NOT NULL)::int AS destroyed
     FROM customer_data_keys`,
    [currentKekId],
  );
  return rows[0] ?? { current: 0, stale: 0, destroyed: 0 };
}

// ---- Platform keys (vault_keys) ----------------------------------------------------------------

export async function findVaultKey(db: Queryable, name: string): Promise<WrappedDataKey | undefined> {
  const { rows } = await db.query<{ wrapped_key: string; kek_id: string }>(
    'SELECT wrapped_key, kek_id FROM vault_keys WHERE name = $1',
    [name],
  );
  const row = rows[0];
  return row && { wrappedKey: Buffer.from(row.wrapped_key, 'base64'), kekId: row.kek_id };
}

export async function insertVaultKey(db: Queryable, name: string, key: WrappedDataKey): Promise<void> {
  await db.query(
    'INSERT INTO vault_keys (name, wrapped_key, kek_id) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
    [name, key.wrappedKey.toString('base64'), key.kekId],
  );
}

export async function lockStaleVaultKeys(
  tx: Queryable,
  currentKekId: string,
): Promise<{ name: string; key: WrappedDataKey }[]> {
  const { rows } = await tx.query<{ name: string; wrapped_key: string; kek_id: string }>(
    'SELECT name, wrapped_key, kek_id FROM vault_keys WHERE kek_id <> $1 ORDER BY name FOR UPDATE',
    [currentKekId],
  );
  return rows.map((r) => ({
    name: r.name,
    key: { wrappedKey: Buffer.from(r.wrapped_key, 'base64'), kekId: r.kek_id },
  }));
}

export async function updateWrappedVaultKey(tx: Queryable, name: string, key: WrappedDataKey): Promise<void> {
  await tx.query('UPDATE vault_keys SET wrapped_key = $2, kek_id = $3, rewrapped_at = now() WHERE name = $1', [
    name,
    key.wrappedKey.toString('base64'),
    key.kekId,
  ]);
}
