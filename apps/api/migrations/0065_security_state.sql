-- Security state that must survive any cache loss (issue 12, defect 1; docs/adr/0065-security-state-fails-closed.md).
-- Revoked grants: the API refuses access tokens of a grant listed here until they have expired,
-- whatever the cache forgot. The cache only remembers PostgreSQL's answer for a short while.
CREATE TABLE revoked_grants (
  grant_id text PRIMARY KEY,
  revoked_at timestamptz NOT NULL DEFAULT now(),
  -- After this no access token issued under the grant is valid any more: the row may go.
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_grants_expires_at ON revoked_grants (expires_at);

-- Login lockouts (an account's normalized e-mail or a client IP, both as keyed HMACs: no e-mail or
-- address in clear). Attempt counters stay in the cache; the lockout they lead to lives here.
CREATE TABLE login_lockouts (
  subject_key text PRIMARY KEY,
  locked_until timestamptz NOT NULL
);
CREATE INDEX login_lockouts_locked_until ON login_lockouts (locked_until);
