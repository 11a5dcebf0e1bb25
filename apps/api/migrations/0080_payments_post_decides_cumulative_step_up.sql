-- The cumulative step-up rule decided inside payments_post, under a lock (issue 12 defect 10,
-- docs/adr/0095; threat model R12). ADR 0076 read the customer's unapproved total before posting,
-- so concurrent payments each saw the total without the others and could together pass the
-- threshold. Now a movement may carry `cumulative` (payments/step-up-policy.ts cumulativeCheck:
-- customerId, currency, amountMinor, thresholdMinor, windowMs); payments_post takes a lock per
-- (customer, currency), reads the total of the payments to others that went without approval in
-- the window (payment_approvals, migration 0076, keeps approved ones out), and answers
-- { kind: 'step_up_required' } for a movement that would take it past the threshold: nothing is
-- reserved, posted or stored for it; the API then issues the challenge. Payments of one customer
-- and currency carrying the check thus run one after another; nothing else waits on these locks.
-- Locks, in the order every batch takes them: these (customer, currency) advisory locks (in key
-- order), daily-totals rows, ledger accounts (in id order), idempotency keys.

-- checks: [{ n, customerId, currency, amountMinor, thresholdMinor, windowMs }] (amounts as decimal
-- strings), in movement order. Answers { "<n>": true, ... } for the movements the rule sends to
-- approval. Within one batch a customer's checked payments are judged in order against the running
-- total; one that passes here and is then refused by the limits or the ledger still counted for the
-- ones after it in the same batch (stricter: they are asked, never let through).
CREATE FUNCTION payments_step_up_cumulative(checks jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  lock_key bigint;
  c record;
  group_key text := NULL;
  running_minor bigint;
  asked jsonb := '{}';
BEGIN
  -- Transaction-level, so held until the batch commits or aborts. Taken in key order: two batches
  -- never wait on each other's locks in a cycle (the key is a hash, so sorting the keys, not the
  -- names, is what makes the order total).
  FOR lock_key IN
    SELECT DISTINCT hashtextextended((i ->> 'customerId') || ' ' || (i ->> 'currency'), 7420080)
    FROM jsonb_array_elements(checks) AS i
    ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(lock_key);
  END LOOP;

  -- A statement of its own, after every lock is held: its snapshot sees what the batches that held
  -- them before committed (READ COMMITTED takes a snapshot per statement).
  FOR c IN
    WITH items AS (
      SELECT (i ->> 'n')::int AS n, i ->> 'customerId' AS customer_id, i ->> 'currency' AS currency,
        (i ->> 'amountMinor')::bigint AS amount_minor, (i ->> 'thresholdMinor')::bigint AS threshold_minor,
        (i ->> 'windowMs')::bigint AS window_ms
      FROM jsonb_array_elements(checks) AS i
    ), totals AS (
      SELECT g.customer_id, g.currency, g.window_ms, coalesce(sum(t.amount_minor), 0) AS total_minor
      FROM (SELECT DISTINCT customer_id, currency, window_ms FROM items) g
      LEFT JOIN transfers t ON t.customer_id = g.customer_id AND t.currency = g.currency AND NOT t.to_own_account
        AND t.status = 'posted' AND t.created_at > now() - make_interval(secs => g.window_ms / 1000.0)
        AND NOT EXISTS (SELECT 1 FROM payment_approvals a WHERE a.transfer_id = t.id)
      GROUP BY g.customer_id, g.currency, g.window_ms
    )
    SELECT i.n, i.amount_minor, i.threshold_minor, tt.total_minor,
      i.customer_id || ' ' || i.currency || ' ' || i.window_ms AS group_key
    FROM items i
    JOIN totals tt USING (customer_id, currency, window_ms)
    ORDER BY i.customer_id, i.currency, i.window_ms, i.n
  LOOP
    IF group_key IS DISTINCT FROM c.group_key THEN
      group_key := c.group_key;
      running_minor := c.total_minor;
    END IF;
    IF running_minor + c.amount_minor > c.threshold_minor THEN
      asked := asked || jsonb_build_object(c.n::text, true);
    ELSE
      running_minor := running_minor + c.amount_minor;
    END IF;
  END LOOP;
  RETURN asked;
END $$;

-- payments_post as in migration 0061, with step 2 added; movements may carry `cumulative`, and a
-- movement the rule sends to approval answers { kind: 'step_up_required' }.
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
      amount_minor, currency, reference, counterparty_name, counterparty_iban, status, created_at, posted_at)
    SELECT t.id, t."customerId", t."fromAccountId", t."toAccountId", t."toOwnAccount", t."journalEntryId",
      t."amountMinor", t.currency, t.reference, t."counterpartyName", t."counterpartyIban", 'posted',
      p.created_at, p.posted_at
    FROM (SELECT * FROM posted WHERE jsonb_typeof(plan -> 'transfer') = 'object') p
    CROSS JOIN LATERAL jsonb_to_record(p.plan -> 'transfer') AS t(id text, "customerId" text,
      "fromAccountId" text, "toAccountId" text, "toOwnAccount" boolean, "journalEntryId" text, "amountMinor" bigint,
      currency text, reference text, "counterpartyName" text, "counterpartyIban" text)
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
