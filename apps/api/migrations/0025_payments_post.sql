-- A batch of money movements as ONE statement (docs/adr/0023): the stored-answer lookup, the ledger
-- posting (ledger_apply), the history lines, transfer rows, outbox events and idempotency records all
-- happen inside one function call that commits on its own. The ledger's row locks are then held for
-- the database's own work only, never across a round trip to the API process.

-- A time as JavaScript's Date#toISOString writes it (milliseconds, Z), so a stored answer reads the
-- same as one the API renders from a row.
CREATE FUNCTION payments_iso_time(at timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Minor units as the API's decimal string with `exponent` decimals (platform/money.ts formatAmount:
-- 123450 → "1234.50", -5 → "-0.05", JPY 1234 → "1234"); a test keeps the two equal.
CREATE FUNCTION payments_format_amount(amount_minor bigint, exponent int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT round(amount_minor::numeric / 10::numeric ^ exponent, exponent)::text
$$;

-- Fills the holes of a JSON object written by the API before the outcome was known
-- (payments/movements.ts OutcomeHole), each a top-level field holding {"$outcome": …}: createdAt and
-- postedAt become the entry's times, balanceAfter ({"leg", "currency", "exponent"}) that leg's posted
-- balance as API money. One expression, so the planner inlines it (a loop over the fields cost 8×).
CREATE FUNCTION payments_fill(template jsonb, created_at timestamptz, posted_at timestamptz, legs jsonb)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT template
    || CASE WHEN template -> 'createdAt' ? '$outcome'
         THEN jsonb_build_object('createdAt', payments_iso_time(created_at)) ELSE '{}' END
    || CASE WHEN template -> 'postedAt' ? '$outcome'
         THEN jsonb_build_object('postedAt', payments_iso_time(posted_at)) ELSE '{}' END
    || CASE WHEN template -> 'balanceAfter' ? '$outcome'
         THEN jsonb_build_object('balanceAfter', jsonb_build_object(
           'amount', payments_format_amount(
             (legs -> (template -> 'balanceAfter' ->> 'leg')::int ->> 'balanceAfterMinor')::bigint,
             (template -> 'balanceAfter' ->> 'exponent')::int),
           'currency', template -> 'balanceAfter' -> 'currency'))
         ELSE '{}' END
$$;

-- movements: [{ command: <ledger_apply command>, key: { scope, key, requestHash } | null,
--               posted: { response: { status, body }, lines: [...], transfer: {...} | null, event: {...} | null } }]
-- Answers one result per movement, in order:
--   { kind: 'stored', stored: { requestHash, response } }  its key had an answer: nothing was executed
--   { kind: 'posted', response }                           posted; its rows and key record were written
--   { kind: 'refused', outcome }                           the ledger refused it: nothing was written
-- A key that another transaction stored meanwhile aborts the whole statement (SQLSTATE NGK01); the
-- caller then retries each movement alone. History lines are rows shaped by the accounts module
-- (accounts/history.ts statementLineRow), written here because they carry the posting's balance.
CREATE FUNCTION payments_post(movements jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  stored jsonb;    -- ordinal → stored answer, for movements whose key was answered before
  fresh int[];     -- ordinals of the other movements, in order
  outcomes jsonb;  -- ledger_apply's outcome for each of them
  results jsonb;
  keys_expected int;
  keys_stored int;
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

  -- 2. The others go to the ledger in one call, in order.
  SELECT coalesce(array_agg(m.n::int ORDER BY m.n), '{}'),
         ledger_apply(coalesce(jsonb_agg(m.movement -> 'command' ORDER BY m.n), '[]'))
    INTO fresh, outcomes
  FROM jsonb_array_elements(movements) WITH ORDINALITY AS m(movement, n)
  WHERE NOT stored ? m.n::text;

  -- 3. The posted ones write their rows, holes filled from their outcome (times in milliseconds,
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
