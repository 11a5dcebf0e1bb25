-- The audit log: append-only and hash-chained (docs/adr/0040-audit-log-hash-chain-and-sealer.md).
--
-- An audited effect writes its record into audit_pending in its own transaction (one INSERT, no
-- shared lock, so transfers keep their throughput). A single sealer moves committed pending records
-- into audit_log in the order it finds them, giving each a dense position and a SHA-256 hash over
-- its content and the previous record's hash. The chain's order is the sealer's, never the sequence
-- order (a lower sequence can commit later: it is simply sealed in a later run).

CREATE TABLE audit_pending (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  occurred_at timestamptz NOT NULL,
  action text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
  actor_kind text NOT NULL CHECK (actor_kind IN ('customer', 'operator', 'system')),
  actor_id text NOT NULL CHECK (length(actor_id) BETWEEN 1 AND 200),
  subject_kind text CHECK (length(subject_kind) BETWEEN 1 AND 100),
  subject_id text CHECK (length(subject_id) BETWEEN 1 AND 200),
  details jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object'),
  CHECK ((subject_kind IS NULL) = (subject_id IS NULL))
);

CREATE TABLE audit_log (
  position bigint PRIMARY KEY CHECK (position >= 1),
  id text NOT NULL UNIQUE,
  occurred_at timestamptz NOT NULL,
  sealed_at timestamptz NOT NULL,
  action text NOT NULL,
  actor_kind text NOT NULL,
  actor_id text NOT NULL,
  subject_kind text,
  subject_id text,
  details jsonb NOT NULL,
  previous_hash text NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id);

-- The chain's head: the last sealed position and hash. Locking this one row serialises sealers
-- (one per run, whichever pod gets it); it also lets the verifier notice records cut off the end.
CREATE TABLE audit_chain_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  position bigint NOT NULL CHECK (position >= 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
INSERT INTO audit_chain_head (position, hash) VALUES (0, repeat('0', 64));

-- Append-only, enforced by the database whatever the application does. (Production should also
-- grant the API's role only INSERT and SELECT on audit_log; a superuser can still bypass triggers,
-- which is what the hash chain and `./ng audit verify` are for.)
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
-- Pending records are only ever inserted, then deleted by the sealer as it seals them (below).
CREATE TRIGGER audit_pending_no_update BEFORE UPDATE ON audit_pending
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- A pending record leaves only once it is in the chain: the sealer inserts it into audit_log first,
-- in the same transaction, so nobody short of a superuser deletes a record before it is sealed.
CREATE FUNCTION audit_pending_sealed_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_log WHERE id = OLD.id) THEN
    RAISE EXCEPTION 'audit record % is not sealed yet: it cannot be deleted', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END;
$$;
CREATE TRIGGER audit_pending_sealed_only BEFORE DELETE ON audit_pending
  FOR EACH ROW EXECUTE FUNCTION audit_pending_sealed_only();

-- The head only moves forward.
CREATE FUNCTION audit_chain_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.position <= OLD.position THEN
    RAISE EXCEPTION 'the audit chain head only moves forward (% -> %)', OLD.position, NEW.position
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward();
