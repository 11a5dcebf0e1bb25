-- Approving a four-eyes request is three steps (docs/adr/0070-approval-registry-and-execution.md):
-- claim the request (a short transaction), execute it through the owning module (outside that
-- transaction: on the embedded PGlite, one connection, an executor on the pool inside it waited
-- forever), record the outcome. The claim keeps a second approver (or a rejection) out while the
-- first one executes; it lapses at claimed_until, so an approver whose process died mid-execution
-- does not block the request: the next approval executes it again (executors are idempotent by
-- the approval id where repeating would do harm).
ALTER TABLE approvals ADD COLUMN claimed_by text;
ALTER TABLE approvals ADD COLUMN claimed_until timestamptz;
ALTER TABLE approvals ADD CONSTRAINT approvals_claim_check CHECK (
  (claimed_by IS NULL) = (claimed_until IS NULL) AND (claimed_by IS NULL OR claimed_by <> requested_by)
);
