-- Fraud decisions (risk/, docs/adr/0130): one row per transfer request the risk check scored, with
-- what it saw (features), what it concluded (scores, outcome) and why in plain words (reasons), so
-- an analyst can explain a decline and the model can be retrained on labelled outcomes later.
CREATE TABLE fraud_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- No foreign key: like the ledger rows, decisions are kept for the retention period after erasure.
  customer_id text NOT NULL,
  -- Null: the decision comes before the transfer exists (a declined or stepped-up one never does).
  transfer_id text,
  -- SHA-256 of the customer and Idempotency-Key (hex), so a retry stores no second row; null without a key.
  request_key_hash text CHECK (request_key_hash ~ '^[0-9a-f]{64}$'),
  -- The model's score; null when only the rules decided (no model loaded).
  score double precision CHECK (score BETWEEN 0 AND 1),
  rules_score double precision NOT NULL CHECK (rules_score BETWEEN 0 AND 1),
  outcome text NOT NULL CHECK (outcome IN ('allow', 'step_up', 'decline')),
  -- 'name@version' of the model, or 'rules-only'.
  model text NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
  reasons jsonb NOT NULL CHECK (jsonb_typeof(reasons) = 'array'),
  features jsonb NOT NULL CHECK (jsonb_typeof(features) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (customer_id, request_key_hash)
);
CREATE INDEX fraud_decisions_customer ON fraud_decisions (customer_id, created_at DESC);

-- The fraud features look a payee's IBAN up across the bank (first seen, distinct payers in 7 days)
-- and within one customer (first dealt with, paid before): each is an index range scan with these,
-- a scan of every row without. Each costs an index entry per ledger row with a counterparty.
CREATE INDEX account_transactions_counterparty ON account_transactions (counterparty_iban, created_at)
  WHERE counterparty_iban IS NOT NULL;
CREATE INDEX account_transactions_customer_counterparty
  ON account_transactions (customer_id, counterparty_iban, created_at)
  WHERE counterparty_iban IS NOT NULL;
