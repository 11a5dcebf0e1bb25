import type { Queryable } from '../platform/database.ts';
import type { AuditDetailValue, SealedContent } from './chain.ts';

/** SQL of the audit module; only audit/ touches these tables. */
export interface PendingRow {
  seq: bigint;
  id: string;
  occurred_at: Date;
  action: string;
  actor_kind: string;
  actor_id: string;
  subject_kind: string | null;
  subject_id: string | null;
  details: Record<string, AuditDetailValue>;
}

export interface SealedRow extends Omit<PendingRow, 'seq'> {
  position: bigint;
  sealed_at: Date;
  previous_hash: string;
  hash: string;
}

export interface PendingInsert {
  readonly id: string;
  readonly occurredAt: Date;
  readonly action: string;
  readonly actorKind: string;
  readonly actorId: string;
  readonly subjectKind: string | null;
  readonly subjectId: string | null;
  readonly details: Readonly<Record<string, AuditDetailValue>>;
}

/** A record's own columns, as both audit tables store them (jsonb_to_recordset input). */
const recordColumns = (r: PendingInsert) => ({
  id: r.id,
  occurred_at: r.occurredAt.toISOString(),
  action: r.action,
  actor_kind: r.actorKind,
  actor_id: r.actorId,
  subject_kind: r.subjectKind,
  subject_id: r.subjectId,
  details: r.details,
});

/** One statement for any number of records, so a transfer batch pays one round trip for its audit trail. */
export async function insertPending(q: Queryable, records: readonly PendingInsert[]): Promise<void> {
  await q.query(
    `INSERT INTO audit_pending (id, occurred_at, action, actor_kind, actor_id, subject_kind, subject_id, details)
     SELECT r.id, r.occurred_at, r.action, r.actor_kind, r.actor_id, r.subject_kind, r.subject_id, r.details
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, occurred_at timestamptz, action text, actor_kind text,
       actor_id text, subject_kind text, subject_id text, details jsonb)`,
    [JSON.stringify(records.map(recordColumns))],
  );
}

/** The chain head; `lock` makes the caller the only sealer until its transaction ends. */
export async function readChainHead(q: Queryable, lock = false): Promise<{ position: bigint; hash: string }> {
  const { rows } = await q.query<{ position: bigint; hash: string }>(
    `SELECT position, hash FROM audit_chain_head WHERE singleton${lock ? ' FOR UPDATE' : ''}`,
  );
  const head = rows[0];
  if (!head) throw new Error('audit_chain_head has no row: migration 0040 did not run');
  return head;
}

/** Locks the chain head: the caller is the only sealer until its transaction ends. */
export const lockChainHead = (tx: Queryable) => readChainHead(tx, true);

export async function oldestPending(tx: Queryable, limit: number): Promise<PendingRow[]> {
  const { rows } = await tx.query<PendingRow>(
    `SELECT seq, id, occurred_at, action, actor_kind, actor_id, subject_kind, subject_id, details
     FROM audit_pending ORDER BY seq LIMIT $1`,
    [limit],
  );
  return rows;
}

export async function appendSealed(
  tx: Queryable,
  records: readonly (SealedContent & { hash: string })[],
  sealedSeqs: readonly bigint[],
): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (position, id, occurred_at, sealed_at, action, actor_kind, actor_id, subject_kind,
       subject_id, details, previous_hash, hash)
     SELECT r.position, r.id, r.occurred_at, r.sealed_at, r.action, r.actor_kind, r.actor_id, r.subject_kind,
       r.subject_id, r.details, r.previous_hash, r.hash
     FROM jsonb_to_recordset($1::jsonb) AS r(position bigint, id text, occurred_at timestamptz, sealed_at timestamptz,
       action text, actor_kind text, actor_id text, subject_kind text, subject_id text, details jsonb,
       previous_hash text, hash text)`,
    [
      JSON.stringify(
        records.map((r) => ({
          ...recordColumns(r),
          position: r.position.toString(),
          sealed_at: r.sealedAt.toISOString(),
          previous_hash: r.previousHash,
          hash: r.hash,
        })),
      ),
    ],
  );
  await tx.query('DELETE FROM audit_pending WHERE seq = ANY($1::bigint[])', [sealedSeqs.map(String)]);
  const last = records.at(-1);
  if (last) {
    await tx.query('UPDATE audit_chain_head SET position = $1, hash = $2 WHERE singleton', [last.position, last.hash]);
  }
}

const sealedColumns = `position, id, occurred_at, sealed_at, action, actor_kind, actor_id, subject_kind, subject_id,
  details, previous_hash, hash`;

/** Sealed records after `afterPosition`, in chain order. */
export async function sealedPage(q: Queryable, afterPosition: bigint, limit: number): Promise<SealedRow[]> {
  const { rows } = await q.query<SealedRow>(
    `SELECT ${sealedColumns} FROM audit_log WHERE position > $1 ORDER BY position LIMIT $2`,
    [afterPosition, limit],
  );
  return rows;
}

/** Sealed records about one subject, newest first (for the back office). */
export async function sealedAbout(
  q: Queryable,
  subject: { kind: string; id: string },
  limit: number,
): Promise<SealedRow[]> {
  const { rows } = await q.query<SealedRow>(
    `SELECT ${sealedColumns} FROM audit_log WHERE subject_kind = $1 AND subject_id = $2 ORDER BY position DESC LIMIT $3`,
    [subject.kind, subject.id, limit],
  );
  return rows;
}

export async function countPending(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: bigint }>('SELECT count(*)::int8 AS n FROM audit_pending');
  return Number(rows[0]?.n ?? 0n);
}

/** The last sealed record and how many records the chain holds, in one snapshot (for a head export). */
export async function lastSealed(
  q: Queryable,
): Promise<{ position: bigint; hash: string; sealed_at: Date; count: bigint } | undefined> {
  const { rows } = await q.query<{ position: bigint; hash: string; sealed_at: Date; count: bigint }>(
    `SELECT l.position, l.hash, l.sealed_at, (SELECT count(*) FROM audit_log)::int8 AS count
     FROM audit_log l ORDER BY l.position DESC LIMIT 1`,
  );
  return rows[0];
}

/** The stored hashes at these positions (absent positions are simply missing from the map). */
export async function hashesAt(q: Queryable, positions: readonly bigint[]): Promise<Map<bigint, string>> {
  const { rows } = await q.query<{ position: bigint; hash: string }>(
    'SELECT position, hash FROM audit_log WHERE position = ANY($1::int8[])',
    [positions.map(String)],
  );
  return new Map(rows.map((row) => [row.position, row.hash]));
}

export async function lastSealedPosition(q: Queryable): Promise<bigint> {
  const { rows } = await q.query<{ position: bigint }>(
    'SELECT coalesce(max(position), 0)::int8 AS position FROM audit_log',
  );
  return rows[0]?.position ?? 0n;
}
