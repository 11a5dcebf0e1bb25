-- Customers' personal data is stored encrypted (platform/crypto, ADR 0030): name, e-mail, phone
-- and postal address as `pd1.` ciphertexts under the customer's data key, and the e-mail's keyed
-- blind index (ADR 0031) for sign-in lookups and uniqueness, replacing email_normalized.
--
-- Rows written before this migration are encrypted by the start-up backfill
-- (identity/personal-data-backfill.ts), which empties name, email and email_normalized as it goes.
-- Those plaintext columns are dropped by a later migration once every deployment has run it; until
-- then they are nullable and new rows leave them NULL (the CHECK below keeps it so for new rows).
ALTER TABLE customers
  ADD COLUMN name_ciphertext text CHECK (name_ciphertext IS NULL OR name_ciphertext LIKE 'pd1.%'),
  ADD COLUMN email_ciphertext text CHECK (email_ciphertext IS NULL OR email_ciphertext LIKE 'pd1.%'),
  ADD COLUMN email_index text CHECK (email_index IS NULL OR email_index ~ '^[0-9a-f]{32}$'),
  ADD COLUMN phone_ciphertext text CHECK (phone_ciphertext IS NULL OR phone_ciphertext LIKE 'pd1.%'),
  ADD COLUMN address_ciphertext text CHECK (address_ciphertext IS NULL OR address_ciphertext LIKE 'pd1.%'),
  ADD COLUMN erased_at timestamptz,
  ALTER COLUMN name DROP NOT NULL,
  ALTER COLUMN email DROP NOT NULL,
  ALTER COLUMN email_normalized DROP NOT NULL;

-- A row is either still in plaintext (awaiting the backfill) or encrypted, never both; erased rows
-- keep neither e-mail form.
ALTER TABLE customers
  ADD CONSTRAINT customers_personal_data_encrypted CHECK (
    (name_ciphertext IS NULL OR (name IS NULL AND email IS NULL AND email_normalized IS NULL))
    AND (erased_at IS NULL OR (email_index IS NULL AND name IS NULL AND email IS NULL))
  );

CREATE UNIQUE INDEX customers_email_index_key ON customers (email_index);

ALTER TABLE customers DROP CONSTRAINT customers_status_check;
ALTER TABLE customers
  ADD CONSTRAINT customers_status_check CHECK (status IN ('active', 'locked', 'closed', 'erased'));
