-- The authorization server's state (oidc-provider models): sign-in sessions, login interactions,
-- grants, authorization codes, refresh tokens, client-credentials records. Every API pod reads and
-- writes the same rows, so a login started on one pod finishes on another. One row per artefact.
-- JWT access tokens are never stored: they are verified by signature.
CREATE TABLE oauth_artefacts (
  model text NOT NULL,
  id text NOT NULL,
  -- The library's payload as JSON text (not jsonb: jsonb refuses the \u0000 escape, which a client
  -- could smuggle into a stored authorization request parameter).
  payload text NOT NULL,
  -- The grant a token or code belongs to: revoking a grant deletes all of them in one statement.
  grant_id text,
  -- A sign-in session's uid, looked up when a session-bound refresh token is used.
  session_uid text,
  expires_at timestamptz,
  -- Set once, atomically, when a code or refresh token is used; a second use is a replay.
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oauth_artefacts_grant ON oauth_artefacts (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_artefacts_session_uid ON oauth_artefacts (session_uid) WHERE session_uid IS NOT NULL;
CREATE INDEX oauth_artefacts_expiry ON oauth_artefacts (expires_at) WHERE expires_at IS NOT NULL;
