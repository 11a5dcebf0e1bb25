-- Fraud model drift reports (apps/worker job `fraud-drift`, docs/ml/drift-monitoring.md): one row
-- per run, comparing the window's decisions of one model version with the distributions the model
-- was trained on, as population stability indexes (PSI). No personal data: numbers and names only.
CREATE TABLE fraud_drift_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- 'name@version' of the model, as fraud_decisions.model.
  model text NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL CHECK (window_end > window_start),
  -- Decisions compared; those whose stored features lacked one of the model's are counted apart.
  sample_size integer NOT NULL CHECK (sample_size >= 0),
  skipped_rows integer NOT NULL DEFAULT 0 CHECK (skipped_rows >= 0),
  -- insufficient: fewer decisions than driftMinSample, no PSI computed; drifted: a PSI above driftAlertPsi.
  status text NOT NULL CHECK (status IN ('stable', 'drifted', 'insufficient')),
  score_psi double precision CHECK (score_psi >= 0),
  worst_feature text CHECK (length(worst_feature) BETWEEN 1 AND 100),
  worst_feature_psi double precision CHECK (worst_feature_psi >= 0),
  -- {feature name: PSI}; empty when insufficient.
  feature_psi jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(feature_psi) = 'object'),
  -- This report wrote the risk.drift_detected event (at most one per model per window).
  alerted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'insufficient') = (score_psi IS NULL)),
  CHECK (NOT alerted OR status = 'drifted')
);
-- The job's look for the model's last alert, and an operator's history of one model.
CREATE INDEX fraud_drift_reports_model ON fraud_drift_reports (model, created_at DESC);

-- The job reads one model's decisions of the last window, newest first: a range scan with this,
-- a scan of every decision without (0091 indexes them by customer only). One entry per decision.
CREATE INDEX fraud_decisions_model_created ON fraud_decisions (model, created_at DESC);
