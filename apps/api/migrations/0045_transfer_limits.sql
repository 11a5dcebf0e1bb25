-- Transfer limits by KYC tier (compliance/limits*.ts, docs/adr/0033). The tiers' limits live in
-- platform/constants.ts and reach limits_reserve as a parameter; per-customer overrides set by
-- the back office live here, as does each customer's running total of outgoing payments per day.

-- A back-office decision replacing the tier's limits for one customer and currency.
CREATE TABLE transfer_limit_overrides (
  customer_id text NOT NULL REFERENCES customers (id),
  currency text NOT NULL,
  per_transfer_max_minor bigint NOT NULL CHECK (per_transfer_max_minor > 0),
  daily_max_minor bigint NOT NULL CHECK (daily_max_minor > 0),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 140),
  set_by text NOT NULL CHECK (length(set_by) <= 100),
  set_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, currency)
);

-- Outgoing payments reserved per customer, currency and UTC day (the transfer's date). A reservation
-- is taken before a payment is posted and given back when the payment is refused, so concurrent
-- payments can never together pass the daily limit (the row lock makes check-and-add atomic).
CREATE TABLE outgoing_daily_totals (
  customer_id text NOT NULL,
  currency text NOT NULL,
  day date NOT NULL,
  reserved_minor bigint NOT NULL CHECK (reserved_minor >= 0),
  PRIMARY KEY (customer_id, currency, day)
);

-- items: [{ customerId, currency, amountMinor (decimal string), day ('YYYY-MM-DD'), counted (bool) }]
-- tiers: { "<tier>": { "<currency>": { "perTransferMaxMinor", "dailyMaxMinor" } } } (decimal strings)
-- Answers one result per item, in order:
--   { ok: true }                                         allowed; counted items were added to the day
--   { ok: false, code: 'kyc_required', status }          the customer is not verified (status or 'none')
--   { ok: false, code: 'limit_exceeded', limit: 'per_transfer' | 'daily', limitMinor, remainingMinor }
-- Items are taken in (customer, currency, day) order, so two concurrent batches lock the same
-- totals rows in the same order and never deadlock; a customer's payments in one batch are
-- checked one after the other against the running total.
CREATE FUNCTION limits_reserve(items jsonb, tiers jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  item record;
  results jsonb[] := '{}';
  profile record;
  per_transfer_max bigint;
  daily_max bigint;
  total bigint;
  outcome jsonb;
BEGIN
  FOR item IN
    SELECT i.n, i.v ->> 'customerId' AS customer_id, i.v ->> 'currency' AS currency,
      (i.v ->> 'amountMinor')::bigint AS amount_minor, (i.v ->> 'day')::date AS day,
      (i.v ->> 'counted')::boolean AS counted
    FROM jsonb_array_elements(items) WITH ORDINALITY AS i(v, n)
    ORDER BY i.v ->> 'customerId', i.v ->> 'currency', i.v ->> 'day', i.n
  LOOP
    SELECT k.status, k.tier, o.per_transfer_max_minor, o.daily_max_minor INTO profile
    FROM (SELECT 1) one
    LEFT JOIN kyc_profiles k ON k.customer_id = item.customer_id
    LEFT JOIN transfer_limit_overrides o ON o.customer_id = item.customer_id AND o.currency = item.currency;
    IF profile.status IS DISTINCT FROM 'verified' THEN
      outcome := jsonb_build_object('ok', false, 'code', 'kyc_required', 'status', coalesce(profile.status, 'none'));
    ELSIF NOT item.counted THEN
      outcome := jsonb_build_object('ok', true);
    ELSE
      per_transfer_max := coalesce(profile.per_transfer_max_minor,
        (tiers -> profile.tier::text -> item.currency ->> 'perTransferMaxMinor')::bigint, 0);
      daily_max := coalesce(profile.daily_max_minor,
        (tiers -> profile.tier::text -> item.currency ->> 'dailyMaxMinor')::bigint, 0);
      total := NULL;
      -- A day's first payment inserts the row (within the limit by the test before it); later ones
      -- add to it only while the sum stays within the limit, under the row's lock.
      IF item.amount_minor <= per_transfer_max AND item.amount_minor <= daily_max THEN
        INSERT INTO outgoing_daily_totals AS t (customer_id, currency, day, reserved_minor)
        VALUES (item.customer_id, item.currency, item.day, item.amount_minor)
        ON CONFLICT (customer_id, currency, day) DO UPDATE SET reserved_minor = t.reserved_minor + excluded.reserved_minor
          WHERE t.reserved_minor + excluded.reserved_minor <= daily_max
        RETURNING reserved_minor INTO total;
      END IF;
      IF total IS NOT NULL THEN
        outcome := jsonb_build_object('ok', true);
      ELSE
        SELECT coalesce(max(t.reserved_minor), 0) INTO total FROM outgoing_daily_totals t
        WHERE t.customer_id = item.customer_id AND t.currency = item.currency AND t.day = item.day;
        outcome := jsonb_build_object('ok', false, 'code', 'limit_exceeded',
          'limit', CASE WHEN item.amount_minor > per_transfer_max THEN 'per_transfer' ELSE 'daily' END,
          'limitMinor', (CASE WHEN item.amount_minor > per_transfer_max THEN per_transfer_max ELSE daily_max END)::text,
          'remainingMinor', greatest(daily_max - total, 0)::text);
      END IF;
    END IF;
    results[item.n] := outcome;
  END LOOP;
  RETURN to_jsonb(results);
END $$;
