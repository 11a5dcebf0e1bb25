import {
  idempotencyRetentionMs,
  stepUpChallengeRetentionMs,
  stepUpCumulativeWindowMs,
} from '../../api/src/platform/index.ts';
import {
  dailyTotalsRetentionDays,
  publishedEventRetentionMs,
  purgeBatchesPerRunMax,
  purgeBatchSize,
  sessionRetentionMs,
} from './constants.ts';
import type { JobContext, ScheduledJob } from './scheduler.ts';

/**
 * The worker's scheduled jobs. The retention purges delete, in batches of purgeBatchSize, rows past
 * their table's retention, by the database's clock; each batch is a step under the job's lease, so
 * a run cut off half-way is finished by the next worker and no row is deleted twice (a delete of a
 * row already gone is a no-op). Every table and retention period is named here, in one place.
 */
interface Purge {
  readonly name: string;
  /** Deletes at most $1 rows past retention; `retention` is bound as $2. */
  readonly sql: string;
  readonly retention: number;
}

const pastRetention = (column: string) => `${column} < now() - make_interval(secs => $2::float8 / 1000)`;

export const purges: readonly Purge[] = [
  {
    // Remembered for retries for idempotencyRetentionMs (platform/constants.ts); they grew without bound.
    name: 'purge-idempotency-keys',
    sql: `DELETE FROM idempotency_keys WHERE (scope, key) IN (
            SELECT scope, key FROM idempotency_keys WHERE ${pastRetention('created_at')} LIMIT $1)`,
    retention: idempotencyRetentionMs,
  },
  {
    // Until then a late answer is told step_up_expired; identity also purges a batch every few issues.
    name: 'purge-step-up-challenges',
    sql: `DELETE FROM step_up_challenges WHERE id IN (
            SELECT id FROM step_up_challenges WHERE ${pastRetention('expires_at')} LIMIT $1)`,
    retention: stepUpChallengeRetentionMs,
  },
  {
    name: 'purge-sessions',
    sql: `DELETE FROM customer_sessions WHERE id IN (
            SELECT id FROM customer_sessions WHERE ${pastRetention('expires_at')} OR ${pastRetention('ended_at')} LIMIT $1)`,
    retention: sessionRetentionMs,
  },
  {
    name: 'purge-daily-limit-totals',
    sql: `DELETE FROM outgoing_daily_totals WHERE (customer_id, currency, day) IN (
            SELECT customer_id, currency, day FROM outgoing_daily_totals
            WHERE day < (now() AT TIME ZONE 'UTC')::date - $2::int LIMIT $1)`,
    retention: dailyTotalsRetentionDays,
  },
  {
    // The cumulative step-up rule (ADR 0076) looks back stepUpCumulativeWindowMs; older approvals count for nothing.
    name: 'purge-payment-approvals',
    sql: `DELETE FROM payment_approvals WHERE transfer_id IN (
            SELECT transfer_id FROM payment_approvals WHERE ${pastRetention('approved_at')} LIMIT $1)`,
    retention: stepUpCumulativeWindowMs,
  },
  {
    // outbox_consumed rows go with their event (ON DELETE CASCADE); dead-lettered events are never published.
    name: 'purge-published-events',
    sql: `DELETE FROM outbox_events WHERE id IN (
            SELECT id FROM outbox_events WHERE ${pastRetention('published_at')} LIMIT $1)`,
    retention: publishedEventRetentionMs,
  },
];

async function runPurge(purge: Purge, context: JobContext): Promise<void> {
  for (let batch = 0; batch < purgeBatchesPerRunMax && !context.signal.aborted; batch += 1) {
    const deleted = await context.step(async (tx) => {
      const { rowCount } = await tx.query(purge.sql, [purgeBatchSize, purge.retention]);
      return rowCount;
    });
    if (deleted < purgeBatchSize) return;
  }
}

export function retentionJobs(intervalMs: number): ScheduledJob[] {
  return purges.map((purge) => ({ name: purge.name, intervalMs, run: (context) => runPurge(purge, context) }));
}

/**
 * What the audit job needs of the audit module: its sealer and the export of the signed chain head
 * to write-once storage (issue 12 item 13, `audit.exportChainHead()`, ADR 0055). How often it runs
 * bounds how long sealed records stay unanchored.
 */
export interface AuditChainHeads {
  seal(): Promise<number>;
  exportChainHead(): Promise<unknown>;
}

export function auditJob(audit: AuditChainHeads, intervalMs: number): ScheduledJob {
  return {
    name: 'audit-seal-and-export-heads',
    intervalMs,
    async run() {
      // The sealer takes the chain head's row lock itself, so it is safe beside the API's own sealer.
      await audit.seal();
      await audit.exportChainHead();
    },
  };
}
