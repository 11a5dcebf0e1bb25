-- Four-eyes approvals (docs/adr/0042-four-eyes-approvals.md): a sensitive back-office action is
-- requested by one operator and executed only when a different operator with the approver role
-- approves it before it expires. Decided requests are kept (they are evidence for SOX audits).
CREATE TABLE approvals (
  id text PRIMARY KEY,
  action text NOT NULL CHECK (action IN ('payments.credit', 'accounts.unfreeze', 'limits.override')),
  subject_kind text NOT NULL,
  subject_id text NOT NULL,
  -- What exactly will be executed: the approver approves these values and nothing else.
  request jsonb NOT NULL CHECK (jsonb_typeof(request) = 'object'),
  requested_by text NOT NULL,
  -- The requester's Idempotency-Key: repeating the request returns the same approval.
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  requested_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'executed', 'failed', 'rejected')),
  decided_by text,
  decided_at timestamptz,
  reason text CHECK (length(reason) <= 500),
  -- What the execution answered: HTTP-like status plus the created resource id or the problem code.
  outcome jsonb,
  UNIQUE (requested_by, idempotency_key),
  CHECK (expires_at > requested_at),
  -- Four eyes, asserted again by the database: nobody decides their own request.
  CHECK (decided_by IS NULL OR decided_by <> requested_by),
  CHECK ((status = 'pending') = (decided_by IS NULL AND decided_at IS NULL))
);
CREATE INDEX approvals_pending ON approvals (requested_at DESC, id DESC) WHERE status = 'pending';
