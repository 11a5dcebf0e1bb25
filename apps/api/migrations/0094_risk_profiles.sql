-- Each customer's all-time amount statistics for the fraud features (risk/features-repository.ts,
-- docs/adr/0133), kept up to date as history lines are posted instead of recomputed from the
-- customer's latest 1,000 lines on every transfer. The feature query read and aggregated up to
-- riskHistoryRowsMax heap rows per scored transfer (about 5 ms of PostgreSQL for 600 rows, the main
-- cost of scoring: bench/RESULTS.md "Fraud scoring in the transfer path"); now it reads one row.
--
-- Per direction: the count, mean and m2 (Welford: var_pop × count) of ln(1 + amount / 100), and
-- the largest payment out. Posted lines count (status 'posted'); a pending line counts when it is
-- posted (a held transfer approved), a voided one never. Merged per statement with Chan et al.'s
-- parallel formula, so a batch of payments_post adds all its lines in one upsert.
CREATE TABLE risk_profiles (
  customer_id text PRIMARY KEY,
  out_count bigint NOT NULL DEFAULT 0 CHECK (out_count >= 0),
  out_mean double precision NOT NULL DEFAULT 0,
  out_m2 double precision NOT NULL DEFAULT 0,
  in_count bigint NOT NULL DEFAULT 0 CHECK (in_count >= 0),
  in_mean double precision NOT NULL DEFAULT 0,
  in_m2 double precision NOT NULL DEFAULT 0,
  max_out_minor bigint NOT NULL DEFAULT 0 CHECK (max_out_minor >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Adds posted lines to their customers' profiles: (customer, direction, amount) as parallel arrays.
-- Rows are upserted in customer order, so concurrent batches lock profiles in one order (no deadlock);
-- every other lock of payments_post is taken before this end-of-statement trigger runs.
CREATE FUNCTION risk_profiles_add(customers text[], directions text[], amounts bigint[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO risk_profiles AS p (customer_id, out_count, out_mean, out_m2, in_count, in_mean, in_m2, max_out_minor)
  SELECT customer_id,
    count(*) FILTER (WHERE direction = 'debit'),
    coalesce(avg(x) FILTER (WHERE direction = 'debit'), 0),
    coalesce(var_pop(x) FILTER (WHERE direction = 'debit') * count(*) FILTER (WHERE direction = 'debit'), 0),
    count(*) FILTER (WHERE direction = 'credit'),
    coalesce(avg(x) FILTER (WHERE direction = 'credit'), 0),
    coalesce(var_pop(x) FILTER (WHERE direction = 'credit') * count(*) FILTER (WHERE direction = 'credit'), 0),
    coalesce(max(amount_minor) FILTER (WHERE direction = 'debit'), 0)
  FROM (
    SELECT c AS customer_id, d AS direction, a AS amount_minor, ln(1 + a::float8 / 100) AS x
    FROM unnest(customers, directions, amounts) AS l(c, d, a)
  ) lines
  GROUP BY customer_id
  ORDER BY customer_id
  ON CONFLICT (customer_id) DO UPDATE SET
    out_mean = CASE WHEN p.out_count + excluded.out_count = 0 THEN 0
      ELSE p.out_mean + (excluded.out_mean - p.out_mean) * excluded.out_count / (p.out_count + excluded.out_count) END,
    out_m2 = CASE WHEN p.out_count + excluded.out_count = 0 THEN 0
      ELSE p.out_m2 + excluded.out_m2
        + (excluded.out_mean - p.out_mean) ^ 2 * p.out_count * excluded.out_count / (p.out_count + excluded.out_count) END,
    out_count = p.out_count + excluded.out_count,
    in_mean = CASE WHEN p.in_count + excluded.in_count = 0 THEN 0
      ELSE p.in_mean + (excluded.in_mean - p.in_mean) * excluded.in_count / (p.in_count + excluded.in_count) END,
    in_m2 = CASE WHEN p.in_count + excluded.in_count = 0 THEN 0
      ELSE p.in_m2 + excluded.in_m2
        + (excluded.in_mean - p.in_mean) ^ 2 * p.in_count * excluded.in_count / (p.in_count + excluded.in_count) END,
    in_count = p.in_count + excluded.in_count,
    max_out_minor = greatest(p.max_out_minor, excluded.max_out_minor),
    updated_at = now();
$$;

CREATE FUNCTION risk_profiles_on_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  customers text[];
  directions text[];
  amounts bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(customer_id), array_agg(direction), array_agg(amount_minor) INTO customers, directions, amounts
    FROM new_lines WHERE status = 'posted';
  ELSE
    SELECT array_agg(n.customer_id), array_agg(n.direction), array_agg(n.amount_minor) INTO customers, directions, amounts
    FROM new_lines n JOIN old_lines o ON o.id = n.id
    WHERE n.status = 'posted' AND o.status <> 'posted';
  END IF;
  IF customers IS NOT NULL THEN
    PERFORM risk_profiles_add(customers, directions, amounts);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER account_transactions_risk_profile_insert AFTER INSERT ON account_transactions
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION risk_profiles_on_lines();
CREATE TRIGGER account_transactions_risk_profile_update AFTER UPDATE ON account_transactions
  REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION risk_profiles_on_lines();

-- The history posted before this migration.
SELECT risk_profiles_add(array_agg(customer_id ORDER BY customer_id), array_agg(direction ORDER BY customer_id),
  array_agg(amount_minor ORDER BY customer_id))
FROM account_transactions WHERE status = 'posted';
