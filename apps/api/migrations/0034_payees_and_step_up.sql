-- Payees (beneficiaries) a customer saved, and the lookup the transfer path's new-payee rule needs.

-- The payee's name and IBAN are the saving customer's personal data about a third party: encrypted
-- under that customer's data key (platform/crypto vault, fields payee.name and payee.iban), so erasing
-- the customer shreds them too. Duplicates are found by a keyed blind index of (customer, IBAN); the
-- masked IBAN (country and last four) is kept in clear for lists, as every answer shows it.
CREATE TABLE payees (
  id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id),
  name_ciphertext text NOT NULL,
  iban_ciphertext text NOT NULL,
  iban_index text NOT NULL,
  masked_iban text NOT NULL CHECK (length(masked_iban) <= 60),
  reference text NOT NULL DEFAULT '' CHECK (length(reference) <= 140),
  -- Confirmation of payee at creation: match, close_match, no_match, or not_checked (outside this bank).
  confirmation text NOT NULL CHECK (confirmation IN ('match', 'close_match', 'no_match', 'not_checked')),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- One saved payee per IBAN per customer; the list pages newest first by (created_at, id).
CREATE UNIQUE INDEX payees_customer_iban ON payees (customer_id, iban_index);
CREATE INDEX payees_customer ON payees (customer_id, created_at DESC, id DESC);

-- "Has this customer paid this account before?" (step-up for a first payment to a payee):
-- one index probe per transfer to another customer.
CREATE INDEX transfers_customer_payee ON transfers (customer_id, to_account_id);
