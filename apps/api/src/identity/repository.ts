import type { Queryable } from '../platform/database.ts';

/** The identity module's SQL: the customers table (migration 0002) and its registration event. */
export interface CustomerRow {
  id: string;
  name: string;
  email: string;
  password_hash: string;
  status: 'active' | 'locked' | 'closed';
  created_at: Date;
}

const customerColumns = 'id, name, email, password_hash, status, created_at';

/** Inserts the customer; returns undefined when the normalized e-mail is already taken. */
export async function insertCustomer(
  db: Queryable,
  customer: { id: string; name: string; email: string; emailNormalized: string; passwordHash: string },
): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(
    `INSERT INTO customers (id, name, email, email_normalized, password_hash)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (email_normalized) DO NOTHING
     RETURNING ${customerColumns}`,
    [customer.id, customer.name, customer.email, customer.emailNormalized, customer.passwordHash],
  );
  return rows[0];
}

export async function insertOutboxEvent(
  db: Queryable,
  event: { id: string; topic: string; aggregateId: string; payload: Record<string, unknown> },
): Promise<void> {
  await db.query('INSERT INTO outbox_events (id, topic, aggregate_id, payload) VALUES ($1, $2, $3, $4)', [
    event.id,
    event.topic,
    event.aggregateId,
    JSON.stringify(event.payload),
  ]);
}

export async function findCustomerById(db: Queryable, id: string): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(`SELECT ${customerColumns} FROM customers WHERE id = $1`, [id]);
  return rows[0];
}

export async function findCustomerByEmail(db: Queryable, emailNormalized: string): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(`SELECT ${customerColumns} FROM customers WHERE email_normalized = $1`, [
    emailNormalized,
  ]);
  return rows[0];
}
