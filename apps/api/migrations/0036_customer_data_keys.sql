-- Envelope encryption of personal data (platform/crypto, ADR 0030). One data key per customer,
-- stored only wrapped by the key-management service's KEK. Erasure (crypto-shredding) deletes the
-- wrapped key and keeps the row as proof of when, so nothing encrypted under it can be read again.
CREATE TABLE customer_data_keys (
  customer_id text PRIMARY KEY,
  wrapped_key text CHECK (wrapped_key IS NULL OR length(wrapped_key) BETWEEN 16 AND 4096),
  kek_id text CHECK (kek_id IS NULL OR length(kek_id) BETWEEN 1 AND 2048),
  created_at timestamptz NOT NULL DEFAULT now(),
  rewrapped_at timestamptz,
  destroyed_at timestamptz,
  CHECK ((destroyed_at IS NULL) = (wrapped_key IS NOT NULL AND kek_id IS NOT NULL))
);

-- `./ng rotate-keys` looks for live keys wrapped under a KEK other than the current one.
CREATE INDEX customer_data_keys_kek ON customer_data_keys (kek_id) WHERE wrapped_key IS NOT NULL;

-- The platform's own keys, wrapped like the customers' (the blind-index key, ADR 0031).
CREATE TABLE vault_keys (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  wrapped_key text NOT NULL CHECK (length(wrapped_key) BETWEEN 16 AND 4096),
  kek_id text NOT NULL CHECK (length(kek_id) BETWEEN 1 AND 2048),
  created_at timestamptz NOT NULL DEFAULT now(),
  rewrapped_at timestamptz
);
