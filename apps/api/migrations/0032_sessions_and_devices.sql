-- Sign-in sessions and devices (identity/sessions*.ts, ADR 0016). One session row per OAuth grant of
-- the mobile app: what the customer sees under "Signed-in devices" and can end. The authorization
-- server's own state stays in oauth_artefacts; this is the customer-facing read model beside it.
CREATE TABLE customer_sessions (
  id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  -- The oidc-provider grant the session's refresh and access tokens belong to.
  grant_id text NOT NULL UNIQUE,
  -- RFC 7638 thumbprint of the app's DPoP key: the device identity (tokens are bound to it).
  device_key_thumbprint text NOT NULL CHECK (length(device_key_thumbprint) BETWEEN 43 AND 64),
  -- From the User-Agent of the sign-in, trimmed; never shown to anyone but the customer.
  device_name text NOT NULL CHECK (length(device_name) BETWEEN 1 AND 100),
  -- Coarse network of the last use (IPv4 /24, IPv6 /48): enough to recognise, not to locate.
  network text NOT NULL CHECK (length(network) <= 64),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz
);
CREATE INDEX customer_sessions_open ON customer_sessions (customer_id, id DESC) WHERE ended_at IS NULL;

-- Devices a customer has signed in from, by DPoP key: a key not seen before raises
-- security.new_device_login once.
CREATE TABLE customer_devices (
  customer_id text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  key_thumbprint text NOT NULL CHECK (length(key_thumbprint) BETWEEN 43 AND 64),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, key_thumbprint)
);
