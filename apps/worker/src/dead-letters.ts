import type { Database } from '../../api/src/platform/index.ts';

/** The operator's view of outbox_dead_letters (`./ng worker dead-letters list|replay <id>`). */
export interface DeadLetter {
  readonly eventId: string;
  readonly topic: string;
  readonly consumer: string;
  readonly attempts: number;
  readonly error: string;
  readonly deadLetteredAt: string;
}

export async function listDeadLetters(db: Database, limit: number): Promise<DeadLetter[]> {
  const { rows } = await db.query<{
    event_id: string;
    topic: string;
    consumer: string;
    attempts: number;
    error: string;
    dead_lettered_at: Date;
  }>(
    `SELECT d.event_id, e.topic, d.consumer, d.attempts, d.error, d.dead_lettered_at
     FROM outbox_dead_letters d JOIN outbox_events e ON e.id = d.event_id
     WHERE d.replayed_at IS NULL ORDER BY d.dead_lettered_at, d.event_id LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    eventId: row.event_id,
    topic: row.topic,
    consumer: row.consumer,
    attempts: row.attempts,
    error: row.error,
    deadLetteredAt: row.dead_lettered_at.toISOString(),
  }));
}

/**
 * Re-queues a dead-lettered event with a fresh attempt count; answers false when there is no open
 * dead letter with that id. Consumers that already handled it are not run again (outbox_consumed).
 */
export async function replayDeadLetter(db: Database, eventId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rowCount } = await tx.query(
      'UPDATE outbox_dead_letters SET replayed_at = now() WHERE event_id = $1 AND replayed_at IS NULL',
      [eventId],
    );
    if (rowCount === 0) return false;
    await tx.query(
      // relayed_at and relays: with EVENT_FEED=nats the relay publishes it again under a new message id (ADR 0100).
      `UPDATE outbox_events SET dead_lettered_at = NULL, attempts = 0, available_at = now(),
         relayed_at = NULL, relays = relays + 1 WHERE id = $1`,
      [eventId],
    );
    return true;
  });
}
