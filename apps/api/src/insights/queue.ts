import type { Queryable } from '../platform/database.ts';
import { insightAttemptsMax, insightClaimMs, insightRetentionDays, insightSweepPeriodMs } from './constants.ts';

/**
 * The insights queue (migration 0095): customers whose lines changed, enqueued by a trigger on
 * account_transactions, and the nightly sweep that enqueues everyone a batch at a time.
 */
export interface QueueClaim {
  readonly customerId: string;
  readonly generation: bigint;
}

/**
 * Claims up to `limit` customers, oldest enqueue first, that nobody holds (SKIP LOCKED, and a
 * claim that outlived insightClaimMs is free again) and that failed fewer than insightAttemptsMax times.
 */
export async function claimCustomers(tx: Queryable, limit: number): Promise<QueueClaim[]> {
  const { rows } = await tx.query<{ customer_id: string; generation: bigint }>(
    `UPDATE insight_queue q
     SET claimed_until = now() + make_interval(secs => $2::float8 / 1000), attempts = q.attempts + 1
     FROM (SELECT customer_id FROM insight_queue
           WHERE (claimed_until IS NULL OR claimed_until < now()) AND attempts < $3
           ORDER BY enqueued_at, customer_id
           LIMIT $1
           FOR UPDATE SKIP LOCKED) due
     WHERE q.customer_id = due.customer_id
     RETURNING q.customer_id, q.generation`,
    [limit, insightClaimMs, insightAttemptsMax],
  );
  return rows
    .map((r) => ({ customerId: r.customer_id, generation: r.generation }))
    .sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
}

/** Done with a customer: the row goes unless it was enqueued again meanwhile (then it is released for the next run). */
export async function finishCustomer(tx: Queryable, claim: QueueClaim): Promise<void> {
  const { rowCount } = await tx.query('DELETE FROM insight_queue WHERE customer_id = $1 AND generation = $2', [
    claim.customerId,
    claim.generation,
  ]);
  if (rowCount === 0) {
    await tx.query('UPDATE insight_queue SET claimed_until = NULL WHERE customer_id = $1', [claim.customerId]);
  }
}

export async function queueLength(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM insight_queue');
  return rows[0]?.n ?? 0;
}

/**
 * One step of the nightly sweep: enqueues the next `batch` customers (by id) after the cursor and
 * moves it; at the end of the customers the pass is finished. A new pass starts once the last one
 * started insightSweepPeriodMs ago. Answers how many were enqueued, or undefined when no pass is due.
 */
export async function sweepStep(tx: Queryable, batch: number): Promise<number | undefined> {
  const { rows } = await tx.query<{ cursor: string | null; due: boolean; running: boolean }>(
    `SELECT cursor, (started_at IS NULL OR started_at < now() - make_interval(secs => $1::float8 / 1000)) AS due,
            (started_at IS NOT NULL AND finished_at IS NULL) AS running
     FROM insight_sweeps WHERE name = 'nightly' FOR UPDATE`,
    [insightSweepPeriodMs],
  );
  const sweep = rows[0];
  if (!sweep || (!sweep.running && !sweep.due)) return undefined;
  if (!sweep.running) {
    await tx.query(
      "UPDATE insight_sweeps SET cursor = NULL, started_at = now(), finished_at = NULL WHERE name = 'nightly'",
    );
  }
  const cursor = sweep.running ? sweep.cursor : null;
  const { rows: enqueued } = await tx.query<{ customer_id: string }>(
    `WITH next AS (
       SELECT DISTINCT customer_id AS id FROM accounts
       WHERE ($1::text IS NULL OR customer_id > $1) AND status <> 'closed' ORDER BY 1 LIMIT $2
     ), queued AS (
       INSERT INTO insight_queue (customer_id) SELECT id FROM next ORDER BY id
       ON CONFLICT (customer_id) DO UPDATE
         SET enqueued_at = now(), generation = insight_queue.generation + 1, attempts = 0
       RETURNING customer_id
     )
     SELECT customer_id FROM queued`,
    [cursor, batch],
  );
  const last = enqueued
    .map((r) => r.customer_id)
    .sort()
    .at(-1);
  if (enqueued.length < batch) {
    await tx.query("UPDATE insight_sweeps SET cursor = NULL, finished_at = now() WHERE name = 'nightly'");
  } else {
    await tx.query("UPDATE insight_sweeps SET cursor = $1 WHERE name = 'nightly'", [last]);
  }
  return enqueued.length;
}

/** Deletes at most `batch` insights past insightRetentionDays (subscription_found kept); answers how many. */
export async function purgeInsights(tx: Queryable, batch: number): Promise<number> {
  const { rowCount } = await tx.query(
    `DELETE FROM insights WHERE id IN (
       SELECT id FROM insights
       WHERE created_at < now() - make_interval(days => $2) AND type <> 'subscription_found'
       LIMIT $1)`,
    [batch, insightRetentionDays],
  );
  return rowCount;
}
