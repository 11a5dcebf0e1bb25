import type { Database, Queryable } from '../../api/src/platform/index.ts';

/**
 * Job leases (migration 0051): one row per job with its holder, fencing token and expiry. Times are
 * the database's clock, so workers on machines whose clocks disagree still agree on who holds a job.
 */
export interface Lease {
  readonly job: string;
  readonly holder: string;
  readonly fencingToken: bigint;
}

/** The lease was taken over by another worker: this worker's step was rolled back and it must stop. */
export class LeaseLost extends Error {
  constructor(job: string) {
    super(`lease on job ${job} was taken over by another worker`);
    this.name = 'LeaseLost';
  }
}

/** Takes the job's lease when the job is due and nobody holds an unexpired lease on it. */
export async function acquireLease(
  db: Database,
  job: string,
  holder: string,
  ttlMs: number,
): Promise<Lease | undefined> {
  const { rows } = await db.query<{ fencing_token: bigint }>(
    `INSERT INTO job_leases AS l (job, holder, fencing_token, lease_expires_at, last_started_at)
     VALUES ($1, $2, 1, now() + make_interval(secs => $3::float8 / 1000), now())
     ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, fencing_token = l.fencing_token + 1,
       lease_expires_at = EXCLUDED.lease_expires_at, last_started_at = now()
     WHERE l.lease_expires_at <= now() AND l.next_run_at <= now()
     RETURNING fencing_token`,
    [job, holder, ttlMs],
  );
  const row = rows[0];
  return row ? { job, holder, fencingToken: row.fencing_token } : undefined;
}

/**
 * Runs one step of a job's work in a transaction that first checks the fencing token (and renews
 * the lease): a worker whose lease was taken over writes nothing. The token changes only when
 * another worker takes the lease, so an expired lease nobody took is simply renewed.
 */
export async function stepUnderLease<T>(
  db: Database,
  lease: Lease,
  ttlMs: number,
  work: (tx: Queryable) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const { rowCount } = await tx.query(
      `UPDATE job_leases SET lease_expires_at = now() + make_interval(secs => $3::float8 / 1000)
       WHERE job = $1 AND fencing_token = $2`,
      [lease.job, lease.fencingToken, ttlMs],
    );
    if (rowCount !== 1) throw new LeaseLost(lease.job);
    return work(tx);
  });
}

/**
 * Ends a run: frees the lease and sets when the job is next due. `error` marks a failed run.
 * Answers false when the lease had been taken over (the run's result is not recorded).
 */
export async function finishLease(
  db: Database,
  lease: Lease,
  nextRunInMs: number,
  error: string | undefined,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE job_leases SET holder = NULL, lease_expires_at = now(),
       next_run_at = now() + make_interval(secs => $3::float8 / 1000), last_finished_at = now(),
       runs = runs + 1, failures = failures + CASE WHEN $4::text IS NULL THEN 0 ELSE 1 END, last_error = $4::text
     WHERE job = $1 AND fencing_token = $2`,
    [lease.job, lease.fencingToken, nextRunInMs, error ?? null],
  );
  return rowCount === 1;
}

/** Frees the lease without running the job to its end (shutdown): another worker may take it at once. */
export async function releaseLease(db: Database, lease: Lease): Promise<void> {
  await db.query(
    'UPDATE job_leases SET holder = NULL, lease_expires_at = now() WHERE job = $1 AND fencing_token = $2',
    [lease.job, lease.fencingToken],
  );
}
