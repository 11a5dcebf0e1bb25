import type { Queryable } from '../platform/database.ts';

/** SQL of the sign-in sessions and devices read model (tables customer_sessions, customer_devices). */
export interface SessionRow {
  id: string;
  grant_id: string;
  device_name: string;
  network: string;
  created_at: Date;
  last_used_at: Date;
}

export async function insertSession(
  db: Queryable,
  session: {
    id: string;
    customerId: string;
    grantId: string;
    keyThumbprint: string;
    deviceName: string;
    network: string;
    lifetimeS: number;
  },
): Promise<boolean> {
  // A grant is exchanged for tokens once (codes are single-use); the conflict guard keeps a retried
  // hook from adding a second row.
  const { rowCount } = await db.query(
    `INSERT INTO customer_sessions (id, customer_id, grant_id, device_key_thumbprint, device_name, network, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::float8))
     ON CONFLICT (grant_id) DO NOTHING`,
    [
      session.id,
      session.customerId,
      session.grantId,
      session.keyThumbprint,
      session.deviceName,
      session.network,
      session.lifetimeS,
    ],
  );
  return rowCount === 1;
}

/** True when this device key is new for the customer (and now remembered). */
export async function rememberDevice(db: Queryable, customerId: string, keyThumbprint: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO customer_devices (customer_id, key_thumbprint) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [customerId, keyThumbprint],
  );
  return rowCount === 1;
}

export async function touchSession(db: Queryable, grantId: string, network: string): Promise<void> {
  await db.query(
    `UPDATE customer_sessions SET last_used_at = now(), network = $2 WHERE grant_id = $1 AND ended_at IS NULL`,
    [grantId, network],
  );
}

/** Ends the grant's session; returns when, or undefined when it had already ended. */
export async function endSessionOfGrant(db: Queryable, grantId: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ ended_at: Date }>(
    `UPDATE customer_sessions SET ended_at = now() WHERE grant_id = $1 AND ended_at IS NULL RETURNING ended_at`,
    [grantId],
  );
  return rows[0]?.ended_at;
}

const openSession = 'ended_at IS NULL AND expires_at > now()';

/** The customer's open sessions, newest first (ids are time-ordered), after `beforeId` when given. */
export async function listOpenSessions(
  db: Queryable,
  customerId: string,
  page: { limit: number; beforeId: string | undefined },
): Promise<SessionRow[]> {
  const { rows } = await db.query<SessionRow>(
    `SELECT id, grant_id, device_name, network, created_at, last_used_at FROM customer_sessions
     WHERE customer_id = $1 AND ${openSession} AND ($2::text IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [customerId, page.beforeId ?? null, page.limit],
  );
  return rows;
}

export async function findOpenSession(
  db: Queryable,
  customerId: string,
  sessionId: string,
): Promise<SessionRow | undefined> {
  const { rows } = await db.query<SessionRow>(
    `SELECT id, grant_id, device_name, network, created_at, last_used_at FROM customer_sessions
     WHERE id = $1 AND customer_id = $2 AND ${openSession}`,
    [sessionId, customerId],
  );
  return rows[0];
}
