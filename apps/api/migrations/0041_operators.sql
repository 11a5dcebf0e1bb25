-- Back-office operators (docs/adr/0041-operators-as-confidential-clients.md). Each operator is a
-- confidential OAuth client of the authorization server: client_id = operator id (opr_…),
-- authenticated with private_key_jwt, so the bank stores only the operator's public key. Roles
-- become scopes (`backoffice:<role>`) in the operator's access tokens.
CREATE TABLE operators (
  id text PRIMARY KEY CHECK (id ~ '^opr_[0-9a-hjkmnp-tv-z]{26}$'),
  -- A staff label ("Alice, payments desk"): who to ask about an action in the audit log.
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  roles text[] NOT NULL CHECK (
    cardinality(roles) >= 1 AND roles <@ ARRAY['support', 'payments', 'accounts', 'compliance', 'approver']
  ),
  -- The operator's public signing keys (a JWK Set): what private_key_jwt client assertions are checked with.
  public_jwks jsonb NOT NULL CHECK (jsonb_typeof(public_jwks -> 'keys') = 'array'),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  key_rotated_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
