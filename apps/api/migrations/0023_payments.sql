-- Transfers: a customer's instruction to move money, posted as one journal entry.
CREATE TABLE transfers (
  id text PRIMARY KEY,
  customer_id text NOT NULL,
  from_account_id text NOT NULL REFERENCES accounts (id),
  to_account_id text NOT NULL REFERENCES accounts (id),
  -- True when the payee account belongs to the sender (its id may then be shown).
  to_own_account boolean NOT NULL,
  journal_entry_id text NOT NULL UNIQUE,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL,
  reference text NOT NULL DEFAULT '' CHECK (length(reference) <= 140),
  counterparty_name text NOT NULL,
  counterparty_iban text NOT NULL,
  status text NOT NULL CHECK (status IN ('posted', 'reversed')),
  created_at timestamptz NOT NULL,
  posted_at timestamptz
);
CREATE INDEX transfers_customer ON transfers (customer_id, created_at DESC, id DESC);
