import type { JsMsg } from '@nats-io/jetstream';
import type { Database } from '../../api/src/platform/index.ts';
import type { NatsSettings } from './config.ts';
import { natsFetchExpiresMs } from './constants.ts';
import { describeError } from './errors.ts';
import { createJetStreamLink, type JetStreamLink } from './jetstream.ts';
import type { WorkerMetrics } from './metrics.ts';
import {
  assertUniqueConsumers,
  countOutcome,
  type EventFeed,
  type EventRow,
  eventOf,
  type OutboxHandler,
  type Outcome,
  outboxBacklog,
  recordDeadLetter,
  retryDelayMs,
  runHandlers,
} from './outbox.ts';
import { createOutboxRelay, type OutboxRelay } from './relay.ts';

/**
 * EVENT_FEED=nats (ADR 0100): each poll relays a batch of committed rows to JetStream, then pulls a
 * batch from the durable consumer and hands each message to the same handlers as the database feed.
 *
 * The outbox row stays the record. A message carries the event id; the feed counts the attempt on
 * the row in a statement of its own (so a message that kills its worker still counts), handles the
 * event in one transaction (outbox_consumed per consumer, published_at when all succeeded) and only
 * then acknowledges. A lost ack or a duplicate message finds the row published and is acked without
 * running anything. A failure is NAKed with the database feed's doubling back-off; at
 * WORKER_MAX_ATTEMPTS the event goes to outbox_dead_letters and the message is terminated.
 * JetStream's own max_deliver is left unlimited: reaching it only stops deliveries (an advisory, no
 * dead letter), which would strand an event, for example through a database outage.
 */
export interface JetStreamFeed extends EventFeed {
  readonly relay: OutboxRelay;
}

export interface JetStreamFeedOptions {
  readonly settings: NatsSettings;
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly metrics: WorkerMetrics;
  readonly onError: (error: unknown, event: { id: string; topic: string }) => void;
  /** For tests: a link of their own. */
  readonly link?: JetStreamLink;
}

function eventIdOf(msg: JsMsg): string | undefined {
  try {
    const id = (JSON.parse(new TextDecoder().decode(msg.data)) as { id?: unknown }).id;
    return typeof id === 'string' && /^evt_[0-9a-z]{1,60}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export function createJetStreamFeed(
  db: Database,
  handlers: readonly OutboxHandler[],
  options: JetStreamFeedOptions,
): JetStreamFeed {
  assertUniqueConsumers(handlers);
  const { metrics } = options;
  const link = options.link ?? createJetStreamLink({ settings: options.settings, maxDeliver: -1 });
  const relay = createOutboxRelay(db, link, {
    settings: options.settings,
    batchSize: options.batchSize,
    metrics,
    onError: (error) => options.onError(error, { id: '-', topic: 'nats-relay' }),
  });

  /** Counts the attempt, committed on its own; undefined when the row is no longer pending. */
  async function countAttempt(eventId: string): Promise<number | undefined> {
    const { rows } = await db.query<{ attempts: number }>(
      `UPDATE outbox_events SET attempts = attempts + 1
       WHERE id = $1 AND published_at IS NULL AND dead_lettered_at IS NULL RETURNING attempts`,
      [eventId],
    );
    return rows[0]?.attempts;
  }

  async function handleEvent(eventId: string, attempts: number): Promise<Outcome> {
    return db.transaction(async (tx) => {
      const { rows } = await tx.query<EventRow>(
        `SELECT id, topic, aggregate_id, payload, created_at FROM outbox_events
         WHERE id = $1 AND published_at IS NULL AND dead_lettered_at IS NULL FOR UPDATE`,
        [eventId],
      );
      const row = rows[0];
      if (row === undefined) return 'skipped';
      if (attempts > options.maxAttempts) {
        // The previous attempt never finished (its worker died): do not run the event again.
        const error = 'Error: the worker stopped while handling the event on its last attempt';
        await recordDeadLetter(tx, eventId, 'worker', attempts - 1, error);
        return 'dead_lettered';
      }
      const event = eventOf(row, attempts);
      const failure = await runHandlers(tx, handlers, event);
      if (failure === undefined) {
        await tx.query('UPDATE outbox_events SET published_at = now() WHERE id = $1', [eventId]);
        return 'published';
      }
      options.onError(failure.error, event);
      if (attempts < options.maxAttempts) return 'retrying';
      await recordDeadLetter(tx, eventId, failure.consumer, attempts, describeError(failure.error));
      return 'dead_lettered';
    });
  }

  async function handleMessage(msg: JsMsg): Promise<void> {
    const eventId = eventIdOf(msg);
    if (eventId === undefined) {
      // Not written by the relay (someone published onto the subject): nothing to deliver, ever.
      metrics.eventsFailed += 1;
      msg.term();
      return;
    }
    let attempts = 0;
    let outcome: Outcome;
    try {
      const counted = await countAttempt(eventId);
      attempts = counted ?? 0;
      outcome = counted === undefined ? 'skipped' : await handleEvent(eventId, counted);
    } catch (error) {
      // The database failed: JetStream delivers the message again after the back-off, uncounted if the count failed.
      metrics.eventsFailed += 1;
      options.onError(error, { id: eventId, topic: msg.subject });
      msg.nak(retryDelayMs(options.retryBaseMs, Math.max(1, attempts)));
      return;
    }
    if (outcome === 'published' || outcome === 'skipped') msg.ack();
    if (outcome === 'retrying') msg.nak(retryDelayMs(options.retryBaseMs, attempts));
    // No reason text on term: servers before 2.10 ignore `+TERM <reason>` and redeliver after ack_wait.
    if (outcome === 'dead_lettered') msg.term();
    countOutcome(metrics, outcome);
  }

  let pump: Promise<void> | undefined;
  let closing = false;

  /**
   * Relays batches until one comes back short, beside the consumption rather than before it, so the
   * relay's lag is not the consumer's: full batches go out back to back while messages are handled.
   */
  function startPump(): void {
    pump ??= (async () => {
      // Bounded by the backlog, and by close(): a stopping worker does not relay the whole backlog first.
      while (!closing && (await relay.relayOnce()) >= options.batchSize) {}
    })()
      .catch((error: unknown) => options.onError(error, { id: '-', topic: 'nats-relay' }))
      .finally(() => {
        pump = undefined;
      });
  }

  return {
    relay,
    async pollOnce() {
      if (closing) return 0;
      startPump();
      // While the relay backs off NATS is unreachable: do not open a connection on every poll.
      if (relay.backingOff()) return 0;
      let consumer: Awaited<ReturnType<JetStreamLink['open']>>['consumer'];
      try {
        consumer = (await link.open()).consumer;
      } catch (error) {
        relay.recordFailure(error);
        return 0;
      }
      if (!link.connected()) return 0;
      const messages = await consumer.fetch({ max_messages: options.batchSize, expires: natsFetchExpiresMs });
      let delivered = 0;
      for await (const msg of messages) {
        delivered += 1;
        await handleMessage(msg);
      }
      return delivered;
    },

    async backlog() {
      const [outbox, relayed] = await Promise.all([outboxBacklog(db), relay.backlog()]);
      return { ...outbox, ...relayed };
    },

    ready() {
      if (link.connected()) return { ready: true };
      return { ready: false, reason: relay.lastError() ?? 'NATS is not connected' };
    },

    async close() {
      closing = true;
      await pump;
      await link.close();
    },
  };
}
