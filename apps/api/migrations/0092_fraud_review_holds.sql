-- Hold for review (docs/adr/0131): a transfer the fraud model scores at its 0.1 % false-positive
-- threshold is not declined but held. The ledger reserves the money with a hold (ledger_apply's
-- 'hold': a pending entry, the sender's available balance lowered, nothing moved); the transfer row
-- says 'held' until an analyst approves it (post_hold: the money moves, status 'posted') or rejects
-- it (void_hold: the reservation released, status 'rejected'). Every transfer scored by the risk
-- module names the decision behind it (risk_decision_id), so the review queue shows the reasons
-- and a review becomes a training label on that decision.

ALTER TABLE transfers DROP CONSTRAINT transfers_status_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_status_check CHECK (status IN ('posted', 'reversed', 'held', 'rejected'));
-- No foreign key: risk owns fraud_decisions and keeps them for its own retention period.
ALTER TABLE transfers ADD COLUMN risk_decision_id uuid;
-- The review queue, oldest first (ids sort by creation time): only the held few are in this index.
CREATE INDEX transfers_held ON transfers (id) WHERE status = 'held';

-- The decision's row records its outcome 'hold', and the analyst's review once there is one: who,
-- when, approved or rejected, and the label it gives the next training run (approved: legitimate,
-- rejected: fraud). transfer_id was never filled (the transfer points at its decision instead).
ALTER TABLE fraud_decisions DROP CONSTRAINT fraud_decisions_outcome_check;
ALTER TABLE fraud_decisions ADD CONSTRAINT fraud_decisions_outcome_check
  CHECK (outcome IN ('allow', 'step_up', 'hold', 'decline'));
ALTER TABLE fraud_decisions DROP COLUMN transfer_id;
-- What the customer is told about a hold (risk/customer-reasons.ts), kept so a retry answers the same.
ALTER TABLE fraud_decisions ADD COLUMN customer_reason text CHECK (customer_reason ~ '^[a-z_]{1,40}$');
ALTER TABLE fraud_decisions ADD COLUMN review text CHECK (review IN ('approved', 'rejected'));
ALTER TABLE fraud_decisions ADD COLUMN reviewed_by text CHECK (length(reviewed_by) BETWEEN 1 AND 100);
ALTER TABLE fraud_decisions ADD COLUMN reviewed_at timestamptz;
ALTER TABLE fraud_decisions ADD COLUMN label text CHECK (label IN ('fraud', 'legitimate'));
ALTER TABLE fraud_decisions ADD CONSTRAINT fraud_decisions_review_complete
  CHECK ((review IS NULL) = (reviewed_at IS NULL) AND (review IS NULL) = (reviewed_by IS NULL));
-- The labels export reads labelled decisions in the order they were labelled.
CREATE INDEX fraud_decisions_labelled ON fraud_decisions (reviewed_at, id) WHERE label IS NOT NULL;

-- Fraud analysts review held transfers (backoffice role 'fraud').
ALTER TABLE operators DROP CONSTRAINT operators_roles_check;
ALTER TABLE operators ADD CONSTRAINT operators_roles_check CHECK (
  cardinality(roles) >= 1
  AND roles <@ ARRAY['support', 'payments', 'accounts', 'compliance', 'approver', 'customers', 'fraud']
);

-- A held transfer is audited as held when payments_post writes it; its approval or rejection is
-- audited by the operator's action (payments/reviews.ts).
CREATE OR REPLACE FUNCTION audit_posted_transfers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_pending (id, occurred_at, action, actor_kind, actor_id, subject_kind, subject_id, details)
  SELECT 'aud_' || substr(t.id, 5), date_trunc('milliseconds', t.created_at),
    CASE t.status WHEN 'held' THEN 'payments.transfer_held' ELSE 'payments.transfer_posted' END,
    'customer', t.customer_id, 'transfer', t.id,
    jsonb_build_object('amountMinor', t.amount_minor::text, 'currency', t.currency,
      'fromAccountId', t.from_account_id, 'toAccountId', t.to_account_id, 'journalEntryId', t.journal_entry_id)
  FROM posted_transfers t;
  RETURN NULL;
END;
$$;

-- payments_post as in migration 0080, but a movement's transfer may carry its status ('held' for a
-- hold; 'posted' when absent) and the risk decision behind it.
CREATE OR REPLACE FUNCTION payments_post(movements jsonb, tiers jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  stored jsonb;    -- ordinal → stored answer, for movements whose key was answered before
  fresh int[];     -- ordinals of the other movements, in order
  outcomes jsonb;  -- ledger_apply's outcome for each of them
  results jsonb;
  keys_expected int;
  keys_stored int;
  limit_ns int[];        -- ordinals of the movements whose limits are checked, in order
  limit_results jsonb;   -- limits_reserve's result for each of them
  limit_refused jsonb;   -- ordinal → limits_reserve refusal
  cumulative_checks jsonb;  -- the cumulative step-up checks of the others, with their ordinals
  step_up_asked jsonb;      -- ordinal → true, for movements the cumulative rule sends to approval
BEGIN
  -- 1. Keys answered before: one primary-key probe each (LIMIT keeps it a nested index lookup).
  SELECT coalesce(jsonb_object_agg(m.n::text, found.answer), '{}') INTO stored
  FROM jsonb_array_elements(movements) WITH ORDINALITY AS m(movement, n)
  CROSS JOIN LATERAL (
    SELECT jsonb_build_object('requestHash', k.request_hash,
      'response', jsonb_build_object('status', k.response_status, 'body', k.response_body)) AS answer
    FROM idempotency_keys k
    WHERE k.scope = m.movement -> 'key' ->> 'scope' AND k.key = m.movement -> 'key' ->> 'key'
    LIMIT 1
  ) found;

  -- 2. The cumulative step-up rule of the others that carry a check, decided under its locks
  -- (payments_step_up_cumulative below); those it asks about go no further.
  SELECT jsonb_agg(jsonb_build_object('n', m.n) || (m.movement -> 'cumulative') ORDER BY m.n) INTO cumulative_checks
  FROM jsonb_array_elements(movements) WITH ORDINALITY AS m(movement, n)
  WHERE NOT stored ? m.n::text AND jsonb_typeof(m.movement -> 'cumulative') = 'object';
  step_up_asked := '{}';
  IF cumulative_checks IS NOT NULL THEN
    step_up_asked := payments_step_up_cumulative(cumulative_checks);
  END IF;

  -- 3. KYC and limits of the others that carry a check, reserved in one call.
  SELECT array_agg(m.n::int ORDER BY m.n), jsonb_agg(m.movement -> 'limit' ORDER BY m.n)
    INTO limit_ns, limit_results
  FROM jsonb_array_elements(movements) WITH ORDINALITY AS m(movement, n)
  WHERE NOT stored ? m.n::text AND NOT step_up_asked ? m.n::text AND jsonb_typeof(m.movement -> 'limit') = 'object';
  limit_refused := '{}';
  IF limit_ns IS NOT NULL THEN
    limit_results := limits_reserve(limit_results, tiers);
    SELECT coalesce(jsonb_object_agg(l.n::text, limit_results -> (l.i::int - 1)), '{}') INTO limit_refused
    FROM unnest(limit_ns) WITH ORDINALITY AS l(n, i)
    WHERE NOT (limit_results -> (l.i::int - 1) ->> 'ok')::boolean;
  END IF;

  -- 4. The rest go to the ledger in one call, in order.
  SELECT coalesce(array_agg(m.n::int ORDER BY m.n), '{}'),
         ledger_apply(coalesce(jsonb_agg(m.movement -> 'command' ORDER BY m.n), '[]'))
    INTO fresh, outcomes
  FROM jsonb_array_elements(movements) WITH ORDINALITY AS m(movement, n)
  WHERE NOT stored ? m.n::text AND NOT step_up_asked ? m.n::text AND NOT limit_refused ? m.n::text;

  -- 5. What the ledger refused gives its reservation back (rows this statement already holds).
  UPDATE outgoing_daily_totals t SET reserved_minor = greatest(t.reserved_minor - r.amount_minor, 0)
  FROM (
    SELECT l ->> 'customerId' AS customer_id, l ->> 'currency' AS currency, (l ->> 'day')::date AS day,
      sum((l ->> 'amountMinor')::bigint) AS amount_minor
    FROM unnest(fresh) WITH ORDINALITY AS f(n, i)
    CROSS JOIN LATERAL (SELECT movements -> (f.n - 1) -> 'limit' AS l) lim
    WHERE jsonb_typeof(lim.l) = 'object' AND (lim.l ->> 'counted')::boolean
      AND NOT (outcomes -> (f.i::int - 1) ->> 'ok')::boolean
    GROUP BY 1, 2, 3
  ) r
  WHERE t.customer_id = r.customer_id AND t.currency = r.currency AND t.day = r.day;

  -- 6. The posted ones write their rows, holes filled from their outcome (times in milliseconds,
  -- as the API shows them); keys last, in key order, so a key held by a concurrent transaction is
  -- waited for without holding it up.
  WITH executed AS MATERIALIZED (
    SELECT f.n, o.outcome, movements -> (f.n - 1) AS movement,
      date_trunc('milliseconds', (o.outcome ->> 'createdAt')::timestamptz) AS created_at,
      date_trunc('milliseconds', (o.outcome ->> 'postedAt')::timestamptz) AS posted_at
    FROM unnest(fresh) WITH ORDINALITY AS f(n, i)
    CROSS JOIN LATERAL (SELECT outcomes -> (f.i::int - 1) AS outcome) o
  ), posted AS MATERIALIZED (
    SELECT e.n, e.outcome, e.created_at, e.posted_at, e.movement -> 'posted' AS plan, e.movement -> 'key' AS key,
      jsonb_build_object('status', e.movement -> 'posted' -> 'response' -> 'status',
        'body', payments_fill(e.movement -> 'posted' -> 'response' -> 'body', e.created_at, e.posted_at,
          e.outcome -> 'postings')) AS response
    FROM executed e
    WHERE (e.outcome ->> 'ok')::boolean
  ), new_lines AS (
    INSERT INTO account_transactions (id, customer_id, account_id, entry_id, direction, amount_minor, currency,
      currency_exponent, balance_after_minor, status, description, counterparty_name, counterparty_iban, created_at,
      posted_at)
    SELECT l.id, l.customer_id, l.account_id, l.entry_id, l.direction, l.amount_minor, l.currency,
      l.currency_exponent, (p.outcome -> 'postings' -> l.balance_after_leg ->> 'balanceAfterMinor')::bigint,
      l.status, l.description, l.counterparty_name, l.counterparty_iban, p.created_at, p.posted_at
    FROM posted p
    CROSS JOIN LATERAL jsonb_to_recordset(p.plan -> 'lines') AS l(id text, customer_id text, account_id text,
      entry_id text, direction text, amount_minor bigint, currency text, currency_exponent smallint,
      balance_after_leg int, status text, description text, counterparty_name text, counterparty_iban text)
  ), new_transfers AS (
    INSERT INTO transfers (id, customer_id, from_account_id, to_account_id, to_own_account, journal_entry_id,
      amount_minor, currency, reference, counterparty_name, counterparty_iban, status, risk_decision_id, created_at,
      posted_at)
    SELECT t.id, t."customerId", t."fromAccountId", t."toAccountId", t."toOwnAccount", t."journalEntryId",
      t."amountMinor", t.currency, t.reference, t."counterpartyName", t."counterpartyIban",
      coalesce(t.status, 'posted'), t."riskDecisionId", p.created_at, p.posted_at
    FROM (SELECT * FROM posted WHERE jsonb_typeof(plan -> 'transfer') = 'object') p
    CROSS JOIN LATERAL jsonb_to_record(p.plan -> 'transfer') AS t(id text, "customerId" text,
      "fromAccountId" text, "toAccountId" text, "toOwnAccount" boolean, "journalEntryId" text, "amountMinor" bigint,
      currency text, reference text, "counterpartyName" text, "counterpartyIban" text, status text,
      "riskDecisionId" uuid)
  ), new_events AS (
    INSERT INTO outbox_events (id, topic, aggregate_id, payload, created_at)
    SELECT p.plan -> 'event' ->> 'id', p.plan -> 'event' ->> 'topic', p.plan -> 'event' ->> 'aggregateId',
      payments_fill(p.plan -> 'event' -> 'payload', p.created_at, p.posted_at, p.outcome -> 'postings'), p.created_at
    FROM posted p
    WHERE jsonb_typeof(p.plan -> 'event') = 'object'
  ), new_keys AS (
    INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
    SELECT p.key ->> 'scope', p.key ->> 'key', p.key ->> 'requestHash', (p.response ->> 'status')::int,
      p.response -> 'body'
    FROM posted p
    WHERE jsonb_typeof(p.key) = 'object'
    ORDER BY p.key ->> 'scope', p.key ->> 'key'
    ON CONFLICT (scope, key) DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM new_keys), (SELECT count(*) FROM posted WHERE jsonb_typeof(key) = 'object'),
    jsonb_agg(CASE
      WHEN stored ? m.n::text THEN jsonb_build_object('kind', 'stored', 'stored', stored -> m.n::text)
      WHEN step_up_asked ? m.n::text THEN jsonb_build_object('kind', 'step_up_required')
      WHEN limit_refused ? m.n::text THEN jsonb_build_object('kind', 'limit_refused', 'limit', limit_refused -> m.n::text)
      WHEN p.n IS NOT NULL THEN jsonb_build_object('kind', 'posted', 'response', p.response)
      ELSE jsonb_build_object('kind', 'refused', 'outcome', e.outcome)
    END ORDER BY m.n)
    INTO keys_stored, keys_expected, results
  FROM generate_series(1, jsonb_array_length(movements)) AS m(n)
  LEFT JOIN executed e ON e.n = m.n
  LEFT JOIN posted p ON p.n = m.n;

  IF keys_stored < keys_expected THEN
    RAISE EXCEPTION 'an idempotency key of this batch was stored by another request meanwhile'
      USING ERRCODE = 'NGK01';
  END IF;
  RETURN results;
END $$;
