-- A KYC decision is bound to the submission the operator reviewed (compliance/kyc.ts, docs/adr/0075):
-- every submission gets its own id (kys_…), the operator's verify or reject names it, and so does a
-- four-eyes approval's request; when the customer replaced the document since, the decision answers
-- 409 kyc_submission_replaced. The application writes a fresh id on each submission; the default
-- gives profiles that exist already (and grandfathered ones, which have no document) their own.
ALTER TABLE kyc_profiles
  ADD COLUMN submission_id text NOT NULL
    DEFAULT ('kys_' || substr(md5(random()::text || clock_timestamp()::text), 1, 26))
    CHECK (submission_id ~ '^kys_[0-9a-hjkmnp-tv-z]{26}$');
