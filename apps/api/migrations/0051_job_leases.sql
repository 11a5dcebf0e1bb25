-- Scheduled jobs of apps/worker (docs/adr/0050-outbox-consumption-leases-dead-letters.md). A worker
-- runs a job only while it holds the job's lease: taking it increments fencing_token, and every
-- step of the job's work re-checks the token in the step's own transaction (and extends the lease),
-- so a worker that was paused or cut off past its lease can no longer write once another worker
-- took the job over. A worker that dies leaves the lease to expire; next_run_at moves only when a
-- run finishes, so the next worker runs the job again.
CREATE TABLE job_leases (
  job text PRIMARY KEY CHECK (length(job) BETWEEN 1 AND 100),
  holder text CHECK (length(holder) <= 200),
  fencing_token bigint NOT NULL DEFAULT 0 CHECK (fencing_token >= 0),
  lease_expires_at timestamptz NOT NULL DEFAULT '-infinity',
  next_run_at timestamptz NOT NULL DEFAULT '-infinity',
  runs bigint NOT NULL DEFAULT 0,
  failures bigint NOT NULL DEFAULT 0,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  -- The last run's error class and message, masked like outbox_dead_letters.error.
  last_error text CHECK (length(last_error) <= 500)
);
