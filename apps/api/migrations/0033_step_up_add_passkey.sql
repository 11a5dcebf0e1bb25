-- Adding a passkey when the customer already holds one needs a step-up approval with an existing
-- passkey (ADR 0013): a stolen access token alone must not enrol the thief's authenticator.
ALTER TABLE step_up_challenges DROP CONSTRAINT step_up_challenges_purpose_check;
ALTER TABLE step_up_challenges
  ADD CONSTRAINT step_up_challenges_purpose_check CHECK (purpose IN ('payment', 'reveal_account', 'add_passkey'));
