import type { Queryable } from './database.ts';

/**
 * Writes one event to the transactional outbox (migration 0001): in `db`'s transaction when it is
 * one, so the event exists exactly when the change it reports does. The worker publishes it.
 */
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
