-- The balance assertion of 0020 re-read the touched entries with `entry_id IN (SELECT … FROM
-- changed_postings)`, which the planner runs as a hash join over a sequential scan of all postings:
-- every posting batch paid for the whole ledger, and paid more as the ledger grew (docs/adr/0023).
-- Same rule, same message: each entry touched by the statement is re-read whole and must have two
-- or more postings summing to zero per currency. LATERAL makes each re-read one lookup in the
-- postings_entry index, whatever the table statistics say.
CREATE OR REPLACE FUNCTION ledger_assert_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced text;
BEGIN
  SELECT changed.entry_id INTO unbalanced
  FROM (SELECT DISTINCT c.entry_id FROM changed_postings c) changed
  CROSS JOIN LATERAL (
    SELECT bool_or(per_currency.total_minor <> 0) AS off_balance, sum(per_currency.postings_count) AS postings_count
    FROM (
      SELECT sum(p.amount_minor) AS total_minor, count(*) AS postings_count
      FROM postings p
      WHERE p.entry_id = changed.entry_id
      GROUP BY p.currency
    ) per_currency
  ) entry
  WHERE entry.off_balance OR entry.postings_count < 2
  LIMIT 1;
  IF unbalanced IS NOT NULL THEN
    RAISE EXCEPTION 'journal entry % is unbalanced: it needs 2+ postings summing to zero per currency', unbalanced
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
