-- Ledger: double-entry bookkeeping in integer minor units (docs/adr/0020, 0021).
-- Amounts are credit-positive: a customer's money is a credit balance of a liability account.
-- Only the ledger module reads or writes these tables; other modules call its service.

CREATE TABLE ledger_accounts (
  id text PRIMARY KEY,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  kind text NOT NULL CHECK (kind IN ('customer', 'settlement', 'suspense', 'clearing', 'fees')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'frozen', 'closed')),
  balance_minor bigint NOT NULL DEFAULT 0,
  -- Sum of the debits of open holds on this account.
  pending_debit_minor bigint NOT NULL DEFAULT 0 CHECK (pending_debit_minor >= 0),
  -- Lowest available balance allowed; NULL = no floor (the bank's own accounts), negative = overdraft.
  floor_minor bigint,
  -- Names the bank's own accounts ('settlement:EUR'); NULL for customer accounts.
  system_code text UNIQUE,
  version bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The database's own copy of the overdraft rule (the posting function checks it first).
  CONSTRAINT ledger_accounts_above_floor CHECK (floor_minor IS NULL OR balance_minor - pending_debit_minor >= floor_minor),
  CONSTRAINT ledger_accounts_closed_empty CHECK (status <> 'closed' OR (balance_minor = 0 AND pending_debit_minor = 0)),
  UNIQUE (id, currency)
);

-- The bank's own accounts, one of each kind per currency the bank keeps (platform/money.ts).
INSERT INTO ledger_accounts (id, currency, kind, system_code)
SELECT 'lac_sys_' || kind || '_' || lower(currency), currency, kind, kind || ':' || currency
FROM unnest(ARRAY['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY', 'KWD']) AS currency
CROSS JOIN unnest(ARRAY['settlement', 'suspense', 'clearing']) AS kind;

CREATE TABLE journal_entries (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('transfer', 'deposit', 'purchase', 'hold', 'reversal', 'adjustment')),
  status text NOT NULL CHECK (status IN ('pending', 'posted', 'voided', 'reversed')),
  reverses_entry_id text REFERENCES journal_entries (id),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  metadata jsonb NOT NULL DEFAULT '{}',
  effective_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  posted_at timestamptz,
  CHECK ((status IN ('posted', 'reversed')) = (posted_at IS NOT NULL)),
  CHECK ((kind = 'reversal') = (reverses_entry_id IS NOT NULL))
);
-- An entry is reversed at most once.
CREATE UNIQUE INDEX journal_entries_reversal_once ON journal_entries (reverses_entry_id)
  WHERE reverses_entry_id IS NOT NULL;

CREATE TABLE postings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id text NOT NULL REFERENCES journal_entries (id),
  ledger_account_id text NOT NULL,
  currency text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
  -- The account's posted balance right after this posting; NULL while the entry is pending or voided.
  balance_after_minor bigint,
  created_at timestamptz NOT NULL,
  -- A posting's currency is its account's currency.
  FOREIGN KEY (ledger_account_id, currency) REFERENCES ledger_accounts (id, currency)
);
CREATE INDEX postings_entry ON postings (entry_id);
CREATE INDEX postings_account ON postings (ledger_account_id, id);

-- ---- Invariants the database asserts itself (the TypeScript side asserts them too) -------------

-- Every entry touched by a statement has two or more postings summing to zero per currency. Checked
-- per statement, so all postings of an entry are written by one INSERT (or one UPDATE).
CREATE FUNCTION ledger_assert_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced text;
BEGIN
  SELECT per_currency.entry_id INTO unbalanced
  FROM (
    SELECT p.entry_id, sum(p.amount_minor) AS total_minor, count(*) AS postings_count
    FROM postings p
    WHERE p.entry_id IN (SELECT DISTINCT changed.entry_id FROM changed_postings changed)
    GROUP BY p.entry_id, p.currency
  ) per_currency
  GROUP BY per_currency.entry_id
  HAVING bool_or(per_currency.total_minor <> 0) OR sum(per_currency.postings_count) < 2
  LIMIT 1;
  IF unbalanced IS NOT NULL THEN
    RAISE EXCEPTION 'journal entry % is unbalanced: it needs 2+ postings summing to zero per currency', unbalanced
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER postings_balanced_on_insert AFTER INSERT ON postings
  REFERENCING NEW TABLE AS changed_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_assert_balanced();
CREATE TRIGGER postings_balanced_on_update AFTER UPDATE ON postings
  REFERENCING NEW TABLE AS changed_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_assert_balanced();

-- Posted history is immutable: a pending entry may become posted or voided, a posted one may only
-- be marked reversed (its correction is a new entry). Nothing is ever deleted.
CREATE FUNCTION ledger_guard_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'journal entry % cannot be deleted: correct it with a reversing entry', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (NEW.id, NEW.kind, NEW.reverses_entry_id, NEW.description, NEW.metadata, NEW.effective_at, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.kind, OLD.reverses_entry_id, OLD.description, OLD.metadata, OLD.effective_at, OLD.created_at)
     OR NOT ((OLD.status = 'pending' AND NEW.status IN ('posted', 'voided'))
          OR (OLD.status = 'posted' AND NEW.status = 'reversed' AND NEW.posted_at = OLD.posted_at)) THEN
    RAISE EXCEPTION 'journal entry % is % and cannot change this way', OLD.id, OLD.status
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER journal_entries_guard BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_guard_entries();

-- A posting is final once it has a balance_after (its entry posted); pending postings may be
-- settled (balance_after set, amount lowered for a partial capture) exactly once.
CREATE FUNCTION ledger_guard_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'postings cannot be deleted' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.balance_after_minor IS NOT NULL
     OR (NEW.id, NEW.entry_id, NEW.ledger_account_id, NEW.currency, NEW.created_at)
        IS DISTINCT FROM (OLD.id, OLD.entry_id, OLD.ledger_account_id, OLD.currency, OLD.created_at)
     OR abs(NEW.amount_minor) > abs(OLD.amount_minor)
     OR sign(NEW.amount_minor) <> sign(OLD.amount_minor) THEN
    RAISE EXCEPTION 'posting % of entry % is final', OLD.id, OLD.entry_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER postings_guard BEFORE UPDATE OR DELETE ON postings
  FOR EACH ROW EXECUTE FUNCTION ledger_guard_postings();

CREATE FUNCTION ledger_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % cannot be truncated', TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();
