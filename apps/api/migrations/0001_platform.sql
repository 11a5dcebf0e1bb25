-- Cross-cutting tables: idempotency records and the transactional outbox.

-- A money-moving request's key, the hash of its request and the response, written in the same
-- transaction as its effect. Scoped per caller so two customers' keys never collide.
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash text NOT NULL,
  response_status integer NOT NULL,
  response_body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Events for other modules and systems, written in the transaction that caused them and delivered
-- at least once by apps/worker (consumers deduplicate on id).
CREATE TABLE outbox_events (
  id text PRIMARY KEY,
  topic text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_events_unpublished ON outbox_events (created_at) WHERE published_at IS NULL;
