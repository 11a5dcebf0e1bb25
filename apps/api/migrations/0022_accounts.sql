-- Accounts: a customer's checking and savings accounts, each backed 1:1 by a ledger account.
-- `status` mirrors the ledger account's (the ledger's copy is the one enforced under lock);
-- `frozen_by` keeps a bank-imposed freeze from being lifted by the customer.
CREATE TABLE accounts (
  id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id),
  ledger_account_id text NOT NULL UNIQUE REFERENCES ledger_accounts (id),
  type text NOT NULL CHECK (type IN ('checking', 'savings')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  iban text NOT NULL UNIQUE CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'frozen', 'closed')),
  frozen_by text CHECK (frozen_by IN ('customer', 'bank')),
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  CHECK ((status = 'frozen') = (frozen_by IS NOT NULL)),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX accounts_customer ON accounts (customer_id, created_at DESC, id DESC);

-- Transaction history read model (docs/adr/0022): one row per customer-account side of a journal
-- entry, written in the same transaction as the postings, so a history read is one index range scan
-- with no join. Counterparty name and IBAN are kept whole and masked when rendered.
CREATE TABLE account_transactions (
  id text PRIMARY KEY,
  customer_id text NOT NULL,
  account_id text NOT NULL REFERENCES accounts (id),
  entry_id text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('credit', 'debit')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL,
  -- Minor-unit exponent of the currency, so amount filters in major units compare exactly.
  currency_exponent smallint NOT NULL CHECK (currency_exponent BETWEEN 0 AND 4),
  balance_after_minor bigint,
  status text NOT NULL CHECK (status IN ('pending', 'posted', 'voided', 'reversed')),
  description text NOT NULL DEFAULT '',
  counterparty_name text,
  counterparty_iban text,
  category text,
  created_at timestamptz NOT NULL,
  posted_at timestamptz
);
-- Newest-first keyset pages per customer and per account.
CREATE INDEX account_transactions_customer ON account_transactions (customer_id, created_at DESC, id DESC);
CREATE INDEX account_transactions_account ON account_transactions (account_id, created_at DESC, id DESC);
CREATE INDEX account_transactions_entry ON account_transactions (entry_id);
