-- Whether a fraud decision was acted on (docs/adr/0134). Under RISK_SCORING=monitor the risk module
-- scores and stores every transfer's decision as usual but payments goes on as if it were `allow`:
-- a model (or a bank new to scoring) is watched on real traffic before it refuses anyone, and the
-- benchmark measures what scoring costs apart from what holding costs. Such rows say enforced =
-- false, so nobody reads a monitored `hold` as a held transfer or a monitored `decline` as a refusal.
ALTER TABLE fraud_decisions ADD COLUMN enforced boolean NOT NULL DEFAULT true;
