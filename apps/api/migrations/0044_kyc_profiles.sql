-- KYC onboarding (compliance/kyc*.ts, docs/adr/0034): one profile per customer, pending → verified
-- (with a tier) or rejected (with a reason code). The identity document's details are one envelope-
-- encrypted JSON document (platform/crypto vault, per-customer data key): nothing personal is stored
-- in clear here, only the document type, states, times and who decided.
CREATE TABLE kyc_profiles (
  customer_id text PRIMARY KEY REFERENCES customers (id),
  status text NOT NULL CHECK (status IN ('pending', 'verified', 'rejected')),
  -- Transfer limits follow the tier (platform/constants.ts transferLimitsByTier).
  tier smallint CHECK (tier BETWEEN 1 AND 3),
  document_type text CHECK (document_type IN ('passport', 'national_id', 'driving_licence', 'residence_permit')),
  -- The vault's ciphertext of the document details (legal name, number, countries, dates).
  document_ciphertext text,
  rejection_reason text CHECK (rejection_reason IN
    ('document_expired', 'document_unreadable', 'details_mismatch', 'underage', 'not_eligible')),
  screening_outcome text CHECK (screening_outcome IN ('clear', 'potential_match', 'match')),
  -- The screening provider's reason code, never the matched list entry's personal data.
  screening_reason text CHECK (length(screening_reason) <= 200),
  screened_at timestamptz,
  submitted_at timestamptz,
  decided_at timestamptz,
  -- An operator client id, 'grandfathered' (customers before KYC existed) or 'system'.
  decided_by text CHECK (length(decided_by) <= 100),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'verified') = (tier IS NOT NULL)),
  CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
  CHECK (status <> 'pending' OR (document_ciphertext IS NOT NULL AND submitted_at IS NOT NULL)),
  CHECK (status = 'pending' OR decided_at IS NOT NULL)
);
-- The back office's review queue: pending profiles, oldest first.
CREATE INDEX kyc_profiles_pending ON kyc_profiles (submitted_at) WHERE status = 'pending';

-- Customers who banked with us before KYC existed were identified at account opening by the
-- previous process: they stay able to move money, as verified tier 1 without a captured document.
INSERT INTO kyc_profiles (customer_id, status, tier, decided_at, decided_by)
SELECT id, 'verified', 1, now(), 'grandfathered' FROM customers;
