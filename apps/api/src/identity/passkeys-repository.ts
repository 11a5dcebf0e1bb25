import type { Queryable } from '../platform/database.ts';

/** The passkeys module's SQL: passkeys (migration 0030) and step-up challenges (migration 0031). */
export interface PasskeyRow {
  id: string;
  customer_id: string;
  credential_id: string;
  public_key: Buffer;
  sign_count: bigint;
  transports: string[];
  aaguid: string;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const passkeyColumns =
  'id, customer_id, credential_id, public_key, sign_count, transports, aaguid, device_type, backed_up, name, created_at, last_used_at, revoked_at';

export interface NewPasskey {
  id: string;
  customerId: string;
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: readonly string[];
  aaguid: string;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  name: string;
}

/**
 * Inserts the passkey unless the customer already holds `activeMax` active ones (checked under a
 * lock on the customer row, so parallel registrations cannot overshoot). Answers 'limit' or
 * 'duplicate' (the credential id exists, for anyone) instead of a row.
 */
export async function insertPasskey(
  tx: Queryable,
  passkey: NewPasskey,
  activeMax: number,
): Promise<PasskeyRow | 'limit' | 'duplicate'> {
  await tx.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [passkey.customerId]);
  const { rows: counted } = await tx.query<{ active: number }>(
    'SELECT count(*)::int AS active FROM passkeys WHERE customer_id = $1 AND revoked_at IS NULL',
    [passkey.customerId],
  );
  if ((counted[0]?.active ?? 0) >= activeMax) return 'limit';
  const { rows } = await tx.query<PasskeyRow>(
    `INSERT INTO passkeys (id, customer_id, credential_id, public_key, sign_count, transports, aaguid, device_type, backed_up, name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (credential_id) DO NOTHING
     RETURNING ${passkeyColumns}`,
    [
      passkey.id,
      passkey.customerId,
      passkey.credentialId,
      Buffer.from(passkey.publicKey),
      passkey.signCount,
      [...passkey.transports],
      passkey.aaguid,
      passkey.deviceType,
      passkey.backedUp,
      passkey.name,
    ],
  );
  return rows[0] ?? 'duplicate';
}

/** The customer's active passkeys, newest first. */
export async function listActivePasskeys(db: Queryable, customerId: string): Promise<PasskeyRow[]> {
  const { rows } = await db.query<PasskeyRow>(
    `SELECT ${passkeyColumns} FROM passkeys WHERE customer_id = $1 AND revoked_at IS NULL
     ORDER BY created_at DESC, id DESC`,
    [customerId],
  );
  return rows;
}

/** One of the customer's active passkeys; another customer's id finds nothing. */
export async function findActivePasskey(
  db: Queryable,
  customerId: string,
  id: string,
): Promise<PasskeyRow | undefined> {
  const { rows } = await db.query<PasskeyRow>(
    `SELECT ${passkeyColumns} FROM passkeys WHERE id = $1 AND customer_id = $2 AND revoked_at IS NULL`,
    [id, customerId],
  );
  return rows[0];
}

/** The passkey a credential id names, revoked or not (the caller decides what revoked means). */
export async function findPasskeyByCredentialId(db: Queryable, credentialId: string): Promise<PasskeyRow | undefined> {
  const { rows } = await db.query<PasskeyRow>(`SELECT ${passkeyColumns} FROM passkeys WHERE credential_id = $1`, [
    credentialId,
  ]);
  return rows[0];
}

export async function renamePasskey(
  db: Queryable,
  customerId: string,
  id: string,
  name: string,
): Promise<PasskeyRow | undefined> {
  const { rows } = await db.query<PasskeyRow>(
    `UPDATE passkeys SET name = $3 WHERE id = $1 AND customer_id = $2 AND revoked_at IS NULL RETURNING ${passkeyColumns}`,
    [id, customerId, name],
  );
  return rows[0];
}

export async function revokePasskey(db: Queryable, customerId: string, id: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE passkeys SET revoked_at = $3 WHERE id = $1 AND customer_id = $2 AND revoked_at IS NULL',
    [id, customerId, at],
  );
  return rowCount === 1;
}

/**
 * Records a verified use. The counter only moves forward: the WHERE clause refuses a counter that
 * did not grow (unless both are 0, for authenticators that do not count), so two racing uses of
 * one signature cannot both be recorded. False when the row did not qualify.
 */
export async function recordPasskeyUse(db: Queryable, id: string, newCount: number, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE passkeys SET sign_count = $2, last_used_at = $3
     WHERE id = $1 AND revoked_at IS NULL AND ($2 > sign_count OR ($2 = 0 AND sign_count = 0))`,
    [id, newCount, at],
  );
  return rowCount === 1;
}

// ---- Step-up challenges ------------------------------------------------------------------------

export interface StepUpChallengeRow {
  id: string;
  customer_id: string;
  purpose: string;
  binding_hash: Buffer;
  challenge: string;
  expires_at: Date;
  used_at: Date | null;
}

export async function insertStepUpChallenge(
  db: Queryable,
  challenge: {
    id: string;
    customerId: string;
    purpose: string;
    bindingHash: Buffer;
    challenge: string;
    createdAt: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO step_up_challenges (id, customer_id, purpose, binding_hash, challenge, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      challenge.id,
      challenge.customerId,
      challenge.purpose,
      challenge.bindingHash,
      challenge.challenge,
      challenge.createdAt,
      challenge.expiresAt,
    ],
  );
}

export async function findStepUpChallenge(db: Queryable, id: string): Promise<StepUpChallengeRow | undefined> {
  const { rows } = await db.query<StepUpChallengeRow>(
    'SELECT id, customer_id, purpose, binding_hash, challenge, expires_at, used_at FROM step_up_challenges WHERE id = $1',
    [id],
  );
  return rows[0];
}

/** Marks the challenge used; false when another request spent it first. */
export async function spendStepUpChallenge(db: Queryable, id: string, passkeyId: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE step_up_challenges SET used_at = $2, passkey_id = $3 WHERE id = $1 AND used_at IS NULL',
    [id, at, passkeyId],
  );
  return rowCount === 1;
}

/** Deletes up to `limit` challenges that expired before `before`; answers how many. */
export async function purgeStepUpChallenges(db: Queryable, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM step_up_challenges WHERE id IN (
       SELECT id FROM step_up_challenges WHERE expires_at < $1 LIMIT $2)`,
    [before, limit],
  );
  return rowCount;
}
