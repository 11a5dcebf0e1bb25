import type { Database, Queryable } from '../../api/src/platform/index.ts';
import { outboxRetryDelayMaxMs } from './constants.ts';
import { describeError } from './errors.ts';
import type { WorkerMetrics } from './metrics.ts';

/**
 * Outbox consumption (docs/adr/0050-outbox-consumption-leases-dead-letters.md).
 *
 * At least once: a worker claims a batch with FOR UPDATE SKIP LOCKED, which counts the attempt and
 * hides the events for claimTimeoutMs, and commits; it then handles each event in one transaction
 * of its own. A worker that dies mid-batch leaves its events to reappear when the claim times out,
 * with the attempt counted, so an event that kills the process still reaches the dead letters.
 *
 * Idempotent handlers: each consumer's effect is committed with an outbox_consumed row in the same
 * transaction (under a savepoint), and a consumer whose row exists is skipped, so a redelivered or
 * doubly claimed event never applies a database effect twice. Effects outside the database (a push
 * notification) are at least once: such a handler deduplicates on the event id at the receiver.
 *
 * Handlers must use only the transaction they are given: on the embedded PGlite there is one
 * connection, and a query on the pool inside the transaction would wait for it forever.
 */
export interface OutboxEvent {
  readonly id: string;
  readonly topic: string;
  readonly aggregateId: string;
  readonly payload: unknown;
  readonly createdAt: Date;
  /** Attempts so far, this one included. */
  readonly attempts: number;
}

export interface OutboxHandler {
  /** Stable name recorded in outbox_consumed: renaming it redelivers every unpublished event to it. */
  readonly consumer: string;
  /** Topics handled; `*` for every topic. */
  readonly topics: readonly string[];
  handle(tx: Queryable, event: OutboxEvent): Promise<void>;
}

/** Gauges a feed reads at scrape time; the relay's only with EVENT_FEED=nats. */
export interface FeedBacklog {
  readonly lagSeconds: number;
  readonly pending: number;
  readonly deadLetters: number;
  /** Age of the oldest committed event not yet published to JetStream (0 when none). */
  readonly relayLagSeconds?: number;
  readonly relayPending?: number;
}

/**
 * The seam between the worker's loop and where events come from. This database consumer is one
 * implementation; the NATS JetStream feed (jetstream-feed.ts, ADR 0100) is the other: it relays
 * committed rows to a stream and delivers the stream's messages to the same handlers, which still
 * deduplicate on outbox_consumed.
 */
export interface EventFeed {
  /** Claims and handles one batch; answers how many events it claimed. */
  pollOnce(): Promise<number>;
  /** Gauges read at scrape time. */
  backlog(): Promise<FeedBacklog>;
  /** Whether the feed's broker is reachable (/readyz); a database feed is always ready here. */
  ready?(): { ready: boolean; reason?: string };
  /** Releases the feed's connections; the worker calls it after its loops stopped. */
  close?(): Promise<void>;
}

export interface OutboxOptions {
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly claimTimeoutMs: number;
  readonly metrics: WorkerMetrics;
  readonly onError: (error: unknown, event: { id: string; topic: string }) => void;
}

/** An outbox_events row as both feeds read it (attempts come from the claim or the count). */
export interface EventRow {
  id: string;
  topic: string;
  aggregate_id: string;
  payload: unknown;
  created_at: Date;
}

/** What handling one event came to, in either feed. */
export type Outcome = 'published' | 'retrying' | 'dead_lettered' | 'skipped';

export function eventOf(row: EventRow, attempts: number): OutboxEvent {
  return {
    id: row.id,
    topic: row.topic,
    aggregateId: row.aggregate_id,
    payload: row.payload,
    createdAt: row.created_at,
    attempts,
  };
}

/** The processed / failed / dead-lettered counters for one event's outcome, the same for both feeds. */
export function countOutcome(metrics: WorkerMetrics, outcome: Outcome): void {
  if (outcome === 'published') metrics.eventsProcessed += 1;
  if (outcome === 'retrying' || outcome === 'dead_lettered') metrics.eventsFailed += 1;
  if (outcome === 'dead_lettered') metrics.eventsDeadLettered += 1;
}

export function retryDelayMs(retryBaseMs: number, attempts: number): number {
  return Math.min(outboxRetryDelayMaxMs, retryBaseMs * 2 ** Math.min(attempts - 1, 20));
}

async function claimBatch(db: Database, batchSize: number, claimTimeoutMs: number): Promise<OutboxEvent[]> {
  const { rows } = await db.query<EventRow & { attempts: number }>(
    `UPDATE outbox_events SET attempts = attempts + 1,
       available_at = now() + make_interval(secs => $2::float8 / 1000)
     WHERE id IN (
       SELECT id FROM outbox_events
       WHERE published_at IS NULL AND dead_lettered_at IS NULL AND available_at <= now()
       ORDER BY created_at, id LIMIT $1
       FOR UPDATE SKIP LOCKED)
     RETURNING id, topic, aggregate_id, payload, created_at, attempts`,
    [batchSize, claimTimeoutMs],
  );
  return rows
    .map((row) => eventOf(row, row.attempts))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
}

/** Runs each consumer not yet recorded for the event under its own savepoint; answers the first failure. */
export async function runHandlers(
  tx: Queryable,
  handlers: readonly OutboxHandler[],
  event: OutboxEvent,
): Promise<{ consumer: string; error: unknown } | undefined> {
  let failure: { consumer: string; error: unknown } | undefined;
  for (const handler of handlers) {
    if (!handler.topics.includes('*') && !handler.topics.includes(event.topic)) continue;
    const done = await tx.query('SELECT 1 FROM outbox_consumed WHERE event_id = $1 AND consumer = $2', [
      event.id,
      handler.consumer,
    ]);
    if (done.rows.length > 0) continue;
    await tx.exec('SAVEPOINT outbox_handler');
    try {
      await handler.handle(tx, event);
      await tx.query('INSERT INTO outbox_consumed (event_id, consumer) VALUES ($1, $2)', [event.id, handler.consumer]);
      await tx.exec('RELEASE SAVEPOINT outbox_handler');
    } catch (error) {
      // The failed consumer's writes go; the others' stay and are not run again on the next attempt.
      await tx.exec('ROLLBACK TO SAVEPOINT outbox_handler');
      failure ??= { consumer: handler.consumer, error };
    }
  }
  return failure;
}

/** Moves an event to the dead letters (both feeds); `error` is already masked (describeError). */
export async function recordDeadLetter(
  tx: Queryable,
  eventId: string,
  consumer: string,
  attempts: number,
  error: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO outbox_dead_letters (event_id, consumer, attempts, error) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id) DO UPDATE SET consumer = EXCLUDED.consumer, attempts = EXCLUDED.attempts,
       error = EXCLUDED.error, dead_lettered_at = now(), replayed_at = NULL`,
    [eventId, consumer, attempts, error],
  );
  await tx.query('UPDATE outbox_events SET dead_lettered_at = now() WHERE id = $1', [eventId]);
}

/** The backlog gauges of outbox_events and outbox_dead_letters, shared by both feeds. */
export async function outboxBacklog(db: Queryable): Promise<FeedBacklog> {
  const { rows } = await db.query<{ lag_s: number | null; pending: number; dead: number }>(
    `SELECT
       (SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 FROM outbox_events
         WHERE published_at IS NULL AND dead_lettered_at IS NULL) AS lag_s,
       (SELECT count(*)::int FROM outbox_events WHERE published_at IS NULL AND dead_lettered_at IS NULL) AS pending,
       (SELECT count(*)::int FROM outbox_dead_letters WHERE replayed_at IS NULL) AS dead`,
  );
  const row = rows[0];
  return { lagSeconds: Math.max(0, row?.lag_s ?? 0), pending: row?.pending ?? 0, deadLetters: row?.dead ?? 0 };
}

export function assertUniqueConsumers(handlers: readonly OutboxHandler[]): void {
  const names = new Set(handlers.map((h) => h.consumer));
  if (names.size !== handlers.length) throw new Error('two outbox handlers share a consumer name');
}

export function createOutboxConsumer(
  db: Database,
  handlers: readonly OutboxHandler[],
  options: OutboxOptions,
): EventFeed {
  assertUniqueConsumers(handlers);

  async function handleEvent(event: OutboxEvent): Promise<Outcome> {
    return db.transaction(async (tx) => {
      // Another worker may hold the event (its claim timed out while it was still working): skip it.
      const current = await tx.query<{ attempts: number }>(
        `SELECT attempts FROM outbox_events
         WHERE id = $1 AND published_at IS NULL AND dead_lettered_at IS NULL FOR UPDATE SKIP LOCKED`,
        [event.id],
      );
      const attempts = current.rows[0]?.attempts;
      if (attempts === undefined) return 'skipped';
      const failure = await runHandlers(tx, handlers, event);
      if (failure === undefined) {
        await tx.query('UPDATE outbox_events SET published_at = now() WHERE id = $1', [event.id]);
        return 'published';
      }
      options.onError(failure.error, event);
      if (attempts >= options.maxAttempts) {
        await recordDeadLetter(tx, event.id, failure.consumer, attempts, describeError(failure.error));
        return 'dead_lettered';
      }
      await tx.query(
        'UPDATE outbox_events SET available_at = now() + make_interval(secs => $2::float8 / 1000) WHERE id = $1',
        [event.id, retryDelayMs(options.retryBaseMs, attempts)],
      );
      return 'retrying';
    });
  }

  return {
    async pollOnce() {
      const batch = await claimBatch(db, options.batchSize, options.claimTimeoutMs);
      for (const event of batch) {
        let outcome: Outcome;
        try {
          outcome = await handleEvent(event);
        } catch (error) {
          // The transaction failed as a whole (database gone): the claim times out and the event comes back.
          options.metrics.eventsFailed += 1;
          options.onError(error, event);
          continue;
        }
        countOutcome(options.metrics, outcome);
      }
      return batch.length;
    },

    backlog() {
      return outboxBacklog(db);
    },
  };
}
