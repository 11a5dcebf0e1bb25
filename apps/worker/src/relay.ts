import type { Database } from '../../api/src/platform/index.ts';
import type { NatsSettings } from './config.ts';
import { natsPublishTimeoutMs, relayBackoffBaseMs, relayBackoffMaxMs } from './constants.ts';
import { describeError } from './errors.ts';
import type { JetStreamLink } from './jetstream.ts';
import type { WorkerMetrics } from './metrics.ts';
import { recordDeadLetter } from './outbox.ts';

/**
 * The outbox relay (ADR 0100): publishes committed outbox rows to JetStream, one subject per topic
 * (`<prefix>.<topic>`), then marks them relayed.
 *
 * Half-failure: publish and mark are two systems, so a relay can die (or lose the database) after
 * JetStream stored a message and before relayed_at was written. The row is published again by the
 * next relay with the same `Nats-Msg-Id` (the event id), and JetStream's duplicate window drops the
 * copy (PubAck.duplicate). Past the window a copy does get through; the feed then finds the row
 * already published and acknowledges without running a handler (outbox_consumed backs that up).
 *
 * NATS down: publish throws, the rows keep relayed_at NULL (nothing is lost: the outbox is the
 * record), and the relay pauses with a doubling back-off up to relayBackoffMaxMs, then catches up
 * in batches by itself. Two relays may publish the same row at once; the duplicate window holds.
 */
export interface OutboxRelay {
  /** Publishes one batch of unrelayed rows; answers how many were stored by JetStream. */
  relayOnce(): Promise<number>;
  /** True while the relay waits out its back-off after a failure. */
  backingOff(): boolean;
  /** Counts a failure to reach NATS seen elsewhere (the feed's pull) into the same back-off. */
  recordFailure(error: unknown): void;
  /** The masked text of the last failure, until a publish succeeds again. */
  lastError(): string | undefined;
  backlog(): Promise<{ relayLagSeconds: number; relayPending: number }>;
}

export interface RelayOptions {
  readonly settings: NatsSettings;
  readonly batchSize: number;
  readonly metrics: WorkerMetrics;
  readonly onError: (error: unknown) => void;
}

interface RelayRow {
  id: string;
  topic: string;
  aggregate_id: string;
  payload: unknown;
  created_at: Date;
  relays: number;
}

/** A topic becomes one subject token per dot: no wildcards, spaces or empty tokens. */
const subjectTopic = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$/;

/** The first publication keeps the event id; an operator's nth replay gets `.r<n>` so the window does not drop it. */
export function relayMessageId(eventId: string, relays: number): string {
  return relays === 0 ? eventId : `${eventId}.r${relays}`;
}

function messageBody(row: RelayRow): string {
  return JSON.stringify({
    id: row.id,
    topic: row.topic,
    aggregateId: row.aggregate_id,
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
  });
}

export function createOutboxRelay(db: Database, link: JetStreamLink, options: RelayOptions): OutboxRelay {
  const { settings, metrics } = options;
  let failures = 0;
  let pausedUntilMs = 0;
  let lastError: string | undefined;

  function failed(error: unknown): void {
    failures += 1;
    metrics.relayFailures += 1;
    lastError = describeError(error);
    pausedUntilMs = Date.now() + Math.min(relayBackoffMaxMs, relayBackoffBaseMs * 2 ** Math.min(failures - 1, 20));
    options.onError(error);
  }

  async function unrelayed(): Promise<RelayRow[]> {
    const { rows } = await db.query<RelayRow>(
      `SELECT id, topic, aggregate_id, payload, created_at, relays FROM outbox_events
       WHERE relayed_at IS NULL AND published_at IS NULL AND dead_lettered_at IS NULL
       ORDER BY created_at, id LIMIT $1`,
      [options.batchSize],
    );
    return rows;
  }

  /** A topic that cannot be a subject would block the relay for ever: it goes to the dead letters. */
  async function refuseTopic(row: RelayRow): Promise<void> {
    await db.transaction((tx) =>
      recordDeadLetter(tx, row.id, 'nats-relay', 1, 'Error: the topic is not a valid NATS subject token list'),
    );
    metrics.eventsDeadLettered += 1;
  }

  return {
    async relayOnce() {
      if (Date.now() < pausedUntilMs) return 0;
      const rows = await unrelayed();
      if (rows.length === 0) return 0;
      let js: Awaited<ReturnType<JetStreamLink['open']>>['js'];
      try {
        js = (await link.open()).js;
      } catch (error) {
        failed(error);
        return 0;
      }
      const publishable: RelayRow[] = [];
      for (const row of rows) {
        if (subjectTopic.test(row.topic)) publishable.push(row);
        else await refuseTopic(row);
      }
      // All of a batch in flight at once (one round trip, not one per row); JetStream acks each.
      const results = await Promise.allSettled(
        publishable.map((row) =>
          js.publish(`${settings.subjectPrefix}.${row.topic}`, messageBody(row), {
            msgID: relayMessageId(row.id, row.relays),
            timeout: natsPublishTimeoutMs,
          }),
        ),
      );
      const stored: string[] = [];
      let failure: unknown;
      results.forEach((result, i) => {
        const row = publishable[i] as RelayRow;
        if (result.status === 'rejected') {
          // The row stays unrelayed and goes with a later batch, after the back-off.
          failure ??= result.reason;
          return;
        }
        if (result.value.duplicate) metrics.relayDuplicates += 1;
        stored.push(row.id);
      });
      if (failure !== undefined) failed(failure);
      if (stored.length === 0) return 0;
      await db.query('UPDATE outbox_events SET relayed_at = now() WHERE id = ANY($1::text[]) AND relayed_at IS NULL', [
        stored,
      ]);
      metrics.relayPublished += stored.length;
      if (failure === undefined) {
        failures = 0;
        lastError = undefined;
      }
      return stored.length;
    },

    backingOff() {
      return Date.now() < pausedUntilMs;
    },

    recordFailure: failed,

    lastError() {
      return lastError;
    },

    async backlog() {
      const { rows } = await db.query<{ lag_s: number | null; pending: number }>(
        `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS lag_s, count(*)::int AS pending
         FROM outbox_events WHERE relayed_at IS NULL AND published_at IS NULL AND dead_lettered_at IS NULL`,
      );
      return { relayLagSeconds: Math.max(0, rows[0]?.lag_s ?? 0), relayPending: rows[0]?.pending ?? 0 };
    },
  };
}
