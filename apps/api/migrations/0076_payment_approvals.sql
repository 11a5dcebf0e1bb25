-- The cumulative step-up rule (payments/step-up-policy.ts, threat model R12, ADR 0076): payments to
-- others that went without a passkey approval add up over a rolling window towards the threshold.
-- A transfer approved with a passkey is recorded here (its id is chosen before it posts, so the row
-- is written first; one for a payment the ledger then refused names no transfer and counts for
-- nothing). Ids only: the approved details live hashed in step_up_challenges.
CREATE TABLE payment_approvals (
  transfer_id text PRIMARY KEY,
  customer_id text NOT NULL,
  challenge_id text NOT NULL,
  approved_at timestamptz NOT NULL DEFAULT now()
);
-- Rows older than the window no longer matter; the worker's purge removes them by this index.
CREATE INDEX payment_approvals_approved_at ON payment_approvals (approved_at);
