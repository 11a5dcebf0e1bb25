-- Step-up approvals (dynamic linking): one row per challenge issued for a sensitive action.
-- The details approved are kept only as a SHA-256 hash, never in clear (they may hold an IBAN).
CREATE TABLE step_up_challenges (
  id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('payment', 'reveal_account')),
  binding_hash bytea NOT NULL CHECK (length(binding_hash) = 32),
  -- The WebAuthn challenge: base64url of 32 random bytes followed by binding_hash.
  challenge text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set once, by the one assertion that spends the challenge.
  used_at timestamptz,
  passkey_id text REFERENCES passkeys (id) ON DELETE CASCADE
);
CREATE INDEX step_up_challenges_expiry ON step_up_challenges (expires_at);
