import type { Database, Queryable } from '../../api/src/platform/index.ts';
import { jobRetryDelayMaxMs } from './constants.ts';
import { describeError } from './errors.ts';
import { acquireLease, finishLease, type Lease, releaseLease, stepUnderLease } from './leases.ts';
import { countJob, type WorkerMetrics } from './metrics.ts';

/**
 * Scheduled jobs under a lease: each tick, every job that is due and free is taken by at most one
 * worker (acquireLease), run, and finished (finishLease sets when it is next due). A job does its
 * writes in `step`s, each a transaction checked against the fencing token, and must call `step` at
 * least once per lease TTL (it renews the lease); it returns early when `signal` is aborted.
 */
export interface JobContext {
  readonly job: string;
  readonly holder: string;
  readonly fencingToken: bigint;
  readonly signal: AbortSignal;
  step<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface ScheduledJob {
  readonly name: string;
  readonly intervalMs: number;
  run(context: JobContext): Promise<void>;
}

export interface SchedulerOptions {
  readonly holder: string;
  readonly leaseTtlMs: number;
  readonly metrics: WorkerMetrics;
  readonly onError: (error: unknown, job: string) => void;
}

export interface Scheduler {
  readonly jobs: readonly string[];
  /** Runs every due, free job once; resolves when those runs ended. */
  tick(): Promise<void>;
  /** Asks running jobs to stop at their next step and waits for them. */
  stop(): Promise<void>;
}

export function createScheduler(db: Database, jobs: readonly ScheduledJob[], options: SchedulerOptions): Scheduler {
  const names = new Set(jobs.map((j) => j.name));
  if (names.size !== jobs.length) throw new Error('two scheduled jobs share a name');
  const running = new Map<string, Promise<void>>();
  const abort = new AbortController();

  async function runLeased(job: ScheduledJob, lease: Lease): Promise<void> {
    const context: JobContext = {
      job: job.name,
      holder: options.holder,
      fencingToken: lease.fencingToken,
      signal: abort.signal,
      step: (work) => stepUnderLease(db, lease, options.leaseTtlMs, work),
    };
    try {
      await job.run(context);
    } catch (error) {
      countJob(options.metrics, job.name, 'failed');
      options.onError(error, job.name);
      await finishLease(db, lease, Math.min(job.intervalMs, jobRetryDelayMaxMs), describeError(error)).catch(() => {});
      return;
    }
    if (abort.signal.aborted) {
      // Stopped half-way: hand the job back without marking it done, so another worker finishes it.
      await releaseLease(db, lease).catch(() => {});
      return;
    }
    const kept = await finishLease(db, lease, job.intervalMs, undefined);
    countJob(options.metrics, job.name, kept ? 'succeeded' : 'failed');
  }

  async function tryJob(job: ScheduledJob): Promise<void> {
    let lease: Lease | undefined;
    try {
      lease = await acquireLease(db, job.name, options.holder, options.leaseTtlMs);
    } catch (error) {
      options.onError(error, job.name);
      return;
    }
    if (lease) await runLeased(job, lease);
  }

  return {
    jobs: jobs.map((j) => j.name),
    async tick() {
      if (abort.signal.aborted) return;
      const started: Promise<void>[] = [];
      for (const job of jobs) {
        if (running.has(job.name)) continue;
        const run = tryJob(job).finally(() => running.delete(job.name));
        running.set(job.name, run);
        started.push(run);
      }
      await Promise.all(started);
    },
    async stop() {
      abort.abort();
      await Promise.allSettled([...running.values()]);
    },
  };
}
