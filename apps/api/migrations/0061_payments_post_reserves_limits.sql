-- Limits reserved inside payments_post (issue 12, "one statement per transfer batch again";
-- docs/adr/0060): a transfer's KYC and limits check (limits_reserve, migration 0045) runs in the same
-- statement as its posting, instead of a round trip of its own before it. A movement may carry
-- `limit` (a limits_reserve item: customerId, currency, amountMinor, day, counted); `tiers` is
-- limits_reserve's tiers parameter. A movement the limits refuse is not posted and answers
-- { kind: 'limit_refused', limit: <limits_reserve result> }; a reservation whose posting the ledger
-- refused is given back before the statement ends. The whole batch commits or aborts together, so a
-- reservation now exists exactly when its payment posted (no over-count after a crash).
-- Locks: daily-totals rows first (limits_reserve takes them in (customer, currency, day) order),
-- then ledger accounts (ledger_apply, in id order), then keys: every batch takes them in that order.
DROP FUNCTION payments_post(jsonb);

-- movements: [{ command: <ledger_apply command>, key: { scope, key, requestHash } | null,
--               posted: { response: { status, body }, lines: [...], transfer: {...} | null, event: {...} | null } }]
-- Answers one result per movement, in order:
--   { kind: 'stored', stored: { requestHash, response } }  its key had an answer: nothing was executed
--   { kind: 'posted', response }                           posted; its rows and key record were written
--   { kind: 'limit_refused', limit }                       KYC or limits refused it: nothing was written
--   { kind: 'refused', outcome }                           the ledger refused it: nothing was written
-- A key that another transaction stored meanwhile aborts the whole statement (SQLSTATE NGK01); the
-- caller then retries each movement alone. History lines are rows shaped by the accounts module
-- (accounts/history.ts statementLineRow), written here because they carry the posting's balance.
CREATE FUNCTION payments_post(movements jsonb, tiers jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
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

  -- 2. KYC and limits of the others that carry a check, reserved in one call.
  SELECT array_agg(m.n::int ORDER BY m.n), jsonb_agg(m.movement -> 'limit' ORDER BY m.n)
    INTO limit_ns, limit_results
  FROM jsonb_array_elements(movements) WITH ORDINALITY AS m(movement, n)
  WHERE NOT stored ? m.n::text AND jsonb_typeof(m.movement -> 'limit') = 'object';
  limit_refused := '{}';
  IF limit_ns IS NOT NULL THEN
    limit_results := limits_reserve(limit_results, tiers);
    SELECT coalesce(jsonb_object_agg(l.n::text, limit_results -> (l.i::int - 1)), '{}') INTO limit_refused
    FROM unnest(limit_ns) WITH ORDINALITY AS l(n, i)
    WHERE NOT (limit_results -> (l.i::int - 1) ->> 'ok')::boolean;
  END IF;

  -- 3. The rest go to the ledger in one call, in order.
  SELECT coalesce(array_agg(m.n::int ORDER BY m.n), '{}'),
         ledger_apply(coalesce(jsonb_agg(m.movement -> 'command' ORDER BY m.n), '[]'))
    INTO fresh, outcomes
  FROM jsonb_array_elements(movements) WITH ORDINALITY AS m(movement, n)
  WHERE NOT stored ? m.n::text AND NOT limit_refused ? m.n::text;

  -- 4. What the ledger refused gives its reservation back (rows this statement already holds).
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

  -- 5. The posted ones write their rows, holes filled from their outcome (times in milliseconds,
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
