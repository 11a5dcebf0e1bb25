-- Passkeys (WebAuthn credentials) customers sign in and approve payments with. Only what
-- verification needs: the credential's public key (COSE), its signature counter and metadata.
-- Biometrics never leave the device: the device unlocks the private key, the bank sees a signature.
CREATE TABLE passkeys (
  id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  -- The authenticator's credential id, base64url; unique across customers (a credential has one owner).
  credential_id text NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 1 AND 1400),
  public_key bytea NOT NULL,
  -- The authenticator's signature counter; 0 for authenticators that do not count (most synced passkeys).
  sign_count bigint NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
  transports text[] NOT NULL DEFAULT '{}',
  aaguid text NOT NULL,
  device_type text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up boolean NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  -- Revoked passkeys stay, so their credential id can never be registered again or sign anything.
  revoked_at timestamptz
);
CREATE INDEX passkeys_customer ON passkeys (customer_id, created_at DESC, id DESC);
