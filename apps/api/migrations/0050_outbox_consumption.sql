-- Outbox consumption by apps/worker (docs/adr/0050-outbox-consumption-leases-dead-letters.md).
-- A worker claims a batch of pending events (FOR UPDATE SKIP LOCKED), counting the attempt and
-- hiding them for a claim timeout; it then handles each event in one transaction that records, per
-- consumer, that the consumer's effect was applied (outbox_consumed), so a redelivery never applies
-- it twice. An event every consumer has handled gets published_at; one that failed too often gets
-- dead_lettered_at and a row in outbox_dead_letters, until an operator replays it.
ALTER TABLE outbox_events
  ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Not before this time: a claimed event is hidden until its claim times out, a failed one until its back-off ends.
  ADD COLUMN available_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN dead_lettered_at timestamptz;

CREATE INDEX outbox_events_pending ON outbox_events (created_at)
  WHERE published_at IS NULL AND dead_lettered_at IS NULL;
-- For the retention purge of events every consumer handled long ago (worker job purge-published-events).
CREATE INDEX outbox_events_published ON outbox_events (published_at) WHERE published_at IS NOT NULL;

-- One row per (event, consumer) whose effect is committed: the handlers' idempotency record,
-- written in the same transaction as the effect.
CREATE TABLE outbox_consumed (
  event_id text NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
  consumer text NOT NULL CHECK (length(consumer) BETWEEN 1 AND 100),
  consumed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, consumer)
);

-- Events that failed worker_max_attempts times. `error` is the failing consumer's error class, code
-- and message with e-mail addresses, IBANs and long digit runs masked: never personal data.
CREATE TABLE outbox_dead_letters (
  event_id text PRIMARY KEY REFERENCES outbox_events (id) ON DELETE CASCADE,
  consumer text NOT NULL CHECK (length(consumer) BETWEEN 1 AND 100),
  attempts integer NOT NULL CHECK (attempts > 0),
  error text NOT NULL CHECK (length(error) <= 500),
  dead_lettered_at timestamptz NOT NULL DEFAULT now(),
  -- Set when an operator re-queues the event (`./ng worker dead-letters replay <id>`).
  replayed_at timestamptz
);
CREATE INDEX outbox_dead_letters_open ON outbox_dead_letters (dead_lettered_at) WHERE replayed_at IS NULL;
