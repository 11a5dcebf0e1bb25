-- The fraud features of a group of transfers (risk/features-repository.ts, docs/adr/0134, 0137) as a
-- function instead of a statement the API sends. The statement's plan was made again at every
-- execution: PostgreSQL keeps a custom plan for a prepared statement whose custom plans look
-- cheaper than its generic one, and with the transfers' arrays known a custom plan always looks
-- cheaper. Planning this statement (CTEs, a LATERAL subquery, a dozen subplans) cost about as much
-- as executing it for a group, and the API's groups hold about three transfers. A PL/pgSQL
-- function plans its query once per connection; SET plan_cache_mode = force_generic_plan keeps
-- that plan (its shape does not depend on the values: every access is an index range scan by
-- customer, IBAN or account). Same query, same answer, one row per transfer (`i`, its place).
CREATE FUNCTION risk_feature_rows(
  customer_ids text[], ats timestamptz[], ibans text[], account_ids text[], thumbprints text[],
  history_max integer, fan_in_max integer, tiny_minor bigint, small_minor bigint
) RETURNS TABLE (
  i integer, rows integer, out_count integer, out_mean double precision, out_m2 double precision,
  in_count integer, in_mean double precision, in_m2 double precision, max_out_minor text,
  out1h_count integer, out1h_sum text, out24h_count integer, out24h_sum text, out7d_count integer, out7d_sum text,
  in24h_count integer, in24h_sum text, fan_out_24h integer, in_payers_7d integer,
  cash_in_28d_count integer, cash_in_28d_sum text, tiny_card_10m integer, small_card_10m integer, tiny_card_30d integer,
  last_card_at timestamptz, known_since timestamptz, paid_before boolean, first_seen_at_bank timestamptz,
  fan_in_24h integer, fan_in_7d integer, device_first_seen timestamptz
) LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT q.i::int AS i, f.*
  FROM unnest(customer_ids::text[], ats::timestamptz[], ibans::text[], account_ids::text[], thumbprints::text[])
    WITH ORDINALITY AS q(customer_id, at, iban, account_id, thumbprint, i)
  CROSS JOIN LATERAL (
    WITH recent AS (
      SELECT entry_id, direction, amount_minor, counterparty_iban, created_at
      FROM account_transactions
      WHERE customer_id = q.customer_id AND created_at < q.at AND created_at >= q.at - interval '30 days' AND status <> 'voided'
      ORDER BY created_at DESC, id DESC
      LIMIT history_max
    ), fan_in AS (
      SELECT customer_id, created_at FROM account_transactions
      WHERE counterparty_iban = q.iban AND direction = 'debit' AND created_at >= q.at - interval '7 days'
        AND created_at < q.at
      ORDER BY created_at DESC
      LIMIT fan_in_max
    ), settled AS (
      SELECT r.amount_minor, r.created_at, e.kind
      FROM recent r JOIN journal_entries e ON e.id = r.entry_id
      WHERE r.counterparty_iban IS NULL AND r.created_at >= q.at - interval '30 days'
        AND ((e.kind = 'deposit' AND r.direction = 'credit') OR (e.kind = 'purchase' AND r.direction = 'debit'))
    )
    SELECT
      coalesce(p.out_count + p.in_count, 0)::int AS rows,
      coalesce(p.out_count, 0)::int AS out_count, coalesce(p.out_mean, 0) AS out_mean, coalesce(p.out_m2, 0) AS out_m2,
      coalesce(p.in_count, 0)::int AS in_count, coalesce(p.in_mean, 0) AS in_mean, coalesce(p.in_m2, 0) AS in_m2,
      coalesce(p.max_out_minor, 0)::text AS max_out_minor,
      h.out1h_count, h.out1h_sum, h.out24h_count, h.out24h_sum, h.out7d_count, h.out7d_sum,
      h.in24h_count, h.in24h_sum, h.fan_out_24h, h.in_payers_7d,
      c.cash_in_28d_count, c.cash_in_28d_sum, c.tiny_card_10m, c.small_card_10m, c.tiny_card_30d, c.last_card_at,
      (SELECT created_at FROM account_transactions
        WHERE customer_id = q.customer_id AND counterparty_iban = q.iban AND created_at < q.at
        ORDER BY created_at LIMIT 1) AS known_since,
      EXISTS (SELECT 1 FROM account_transactions
        WHERE customer_id = q.customer_id AND counterparty_iban = q.iban AND direction = 'debit' AND created_at < q.at) AS paid_before,
      LEAST(
        (SELECT min(created_at) FROM account_transactions WHERE counterparty_iban = q.iban AND created_at < q.at),
        (SELECT min(created_at) FROM account_transactions WHERE account_id = q.account_id AND created_at < q.at)
      ) AS first_seen_at_bank,
      (SELECT count(DISTINCT customer_id)::int FROM fan_in
        WHERE created_at >= q.at - interval '24 hours') AS fan_in_24h,
      (SELECT count(DISTINCT customer_id)::int FROM fan_in) AS fan_in_7d,
      (SELECT first_seen_at FROM customer_devices WHERE customer_id = q.customer_id AND key_thumbprint = q.thumbprint) AS device_first_seen
    FROM (
      SELECT
        count(*) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '1 hour')::int AS out1h_count,
        coalesce(sum(amount_minor) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '1 hour'), 0)::text AS out1h_sum,
        count(*) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '24 hours')::int AS out24h_count,
        coalesce(sum(amount_minor) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '24 hours'), 0)::text AS out24h_sum,
        count(*) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '7 days')::int AS out7d_count,
        coalesce(sum(amount_minor) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '7 days'), 0)::text AS out7d_sum,
        count(*) FILTER (WHERE direction = 'credit' AND created_at >= q.at - interval '24 hours')::int AS in24h_count,
        coalesce(sum(amount_minor) FILTER (WHERE direction = 'credit' AND created_at >= q.at - interval '24 hours'), 0)::text AS in24h_sum,
        count(DISTINCT counterparty_iban) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '24 hours')::int AS fan_out_24h,
        count(DISTINCT counterparty_iban) FILTER (WHERE direction = 'credit' AND created_at >= q.at - interval '7 days')::int AS in_payers_7d
      FROM recent
    ) h, (
      SELECT
        count(*) FILTER (WHERE kind = 'deposit' AND created_at >= q.at - interval '28 days')::int AS cash_in_28d_count,
        coalesce(sum(amount_minor) FILTER (WHERE kind = 'deposit' AND created_at >= q.at - interval '28 days'), 0)::text AS cash_in_28d_sum,
        count(*) FILTER (WHERE kind = 'purchase' AND amount_minor < tiny_minor AND created_at >= q.at - interval '10 minutes')::int AS tiny_card_10m,
        count(*) FILTER (WHERE kind = 'purchase' AND amount_minor < small_minor AND created_at >= q.at - interval '10 minutes')::int AS small_card_10m,
        count(*) FILTER (WHERE kind = 'purchase' AND amount_minor < tiny_minor)::int AS tiny_card_30d,
        max(created_at) FILTER (WHERE kind = 'purchase') AS last_card_at
      FROM settled
    ) c
    LEFT JOIN risk_profiles p ON p.customer_id = q.customer_id
  ) f;
END
$$;
