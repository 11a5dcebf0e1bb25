-- The NATS JetStream relay (apps/worker/src/relay.ts, docs/adr/0100-outbox-relay-to-nats-jetstream.md).
-- With EVENT_FEED=nats the worker publishes each committed event to JetStream and sets relayed_at;
-- consumption then comes from JetStream, and published_at / dead_lettered_at keep their meaning.
-- `relays` counts how often an operator replayed the event from the dead letters: the relay's
-- Nats-Msg-Id is the event id, then `<event id>.r<relays>`, so a replay is not swallowed by
-- JetStream's duplicate window while a relay that crashed before marking still is.
ALTER TABLE outbox_events
  ADD COLUMN relayed_at timestamptz,
  ADD COLUMN relays integer NOT NULL DEFAULT 0 CHECK (relays >= 0);

CREATE INDEX outbox_events_unrelayed ON outbox_events (created_at)
  WHERE relayed_at IS NULL AND published_at IS NULL AND dead_lettered_at IS NULL;
