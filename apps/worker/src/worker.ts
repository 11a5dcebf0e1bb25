import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../api/src/platform/index.ts';
import type { WorkerConfig } from './config.ts';
import { loopStaleMs } from './constants.ts';
import { describeError } from './errors.ts';
import { fraudDriftJob } from './fraud-drift.ts';
import { insightsJobs } from './insights.ts';
import { createJetStreamFeed } from './jetstream-feed.ts';
import { type AuditChainHeads, auditJob, retentionJobs } from './jobs.ts';
import { createMetrics, renderMetrics, type WorkerMetrics } from './metrics.ts';
import { createOutboxConsumer, type EventFeed, type OutboxHandler } from './outbox.ts';
import { createScheduler, type ScheduledJob, type Scheduler } from './scheduler.ts';

/** The worker's log: pino's `(object, message)` form, so the API's logger fits the in-process worker. */
export interface WorkerLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface WorkerOptions {
  /** The database handle; in process it is the API's own (PGlite has one connection). */
  readonly db: Database;
  readonly config: WorkerConfig;
  readonly log: WorkerLog;
  /** Outbox consumers; none yet in production (notifications and insights build on this). */
  readonly handlers?: readonly OutboxHandler[];
  /** Replaces the standard jobs (retention purges, the fraud drift monitor, the insights jobs and, with `audit`, the audit job); for tests. */
  readonly jobs?: readonly ScheduledJob[];
  readonly audit?: AuditChainHeads;
  /** Replaces the feed that config.feed names (tests). */
  readonly feed?: EventFeed;
}

export interface Worker {
  readonly holder: string;
  readonly metrics: WorkerMetrics;
  readonly scheduler: Scheduler;
  readonly feed: EventFeed;
  /** Starts the outbox and scheduler loops. */
  start(): void;
  /** Stops both loops and waits for the work in flight; call before closing the database. */
  stop(): Promise<void>;
  /** Prometheus text for /metrics. */
  metricsText(): Promise<string>;
  /** False when a loop made no progress for loopStaleMs (wedged database or event loop). */
  healthy(): boolean;
  /** Whether the feed's broker is reachable (NATS with EVENT_FEED=nats); /readyz. */
  ready(): { ready: boolean; reason?: string };
}

function createFeed(options: WorkerOptions, metrics: WorkerMetrics): EventFeed {
  const { db, config, log } = options;
  const common = {
    batchSize: config.batchSize,
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
    metrics,
    onError: (error: unknown, event: { id: string; topic: string }) =>
      log.warn({ eventId: event.id, topic: event.topic, error: describeError(error) }, 'outbox event failed'),
  };
  if (config.feed === 'nats')
    return createJetStreamFeed(db, options.handlers ?? [], { ...common, settings: config.nats });
  return createOutboxConsumer(db, options.handlers ?? [], { ...common, claimTimeoutMs: config.claimTimeoutMs });
}

export function createWorker(options: WorkerOptions): Worker {
  const { db, config, log } = options;
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const metrics = createMetrics();
  const feed = options.feed ?? createFeed(options, metrics);
  const jobs = options.jobs ?? [
    ...retentionJobs(config.purgeIntervalMs),
    ...(config.fraudDrift.enabled ? [fraudDriftJob(config.fraudDrift)] : []),
    ...(config.insights.enabled ? insightsJobs(config.insights) : []),
    ...(options.audit ? [auditJob(options.audit, config.auditIntervalMs)] : []),
  ];
  const scheduler = createScheduler(db, jobs, {
    holder,
    leaseTtlMs: config.leaseTtlMs,
    metrics,
    onError: (error, job) => log.warn({ job, error: describeError(error) }, 'scheduled job failed'),
  });
  const abort = new AbortController();
  const progress = { outbox: Date.now(), jobs: Date.now() };
  let loops: Promise<void>[] = [];

  const pause = (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => {});

  async function outboxLoop(): Promise<void> {
    while (!abort.signal.aborted) {
      let claimed = 0;
      try {
        claimed = await feed.pollOnce();
      } catch (error) {
        log.warn({ error: describeError(error) }, 'outbox poll failed');
      }
      progress.outbox = Date.now();
      if (claimed < config.batchSize) await pause(config.pollIntervalMs);
    }
  }

  async function jobsLoop(): Promise<void> {
    while (!abort.signal.aborted) {
      await scheduler.tick();
      progress.jobs = Date.now();
      await pause(config.jobTickMs);
    }
  }

  return {
    holder,
    metrics,
    scheduler,
    feed,
    start() {
      if (loops.length > 0) return;
      loops = [outboxLoop(), jobsLoop()];
      log.info({ holder, jobs: scheduler.jobs }, 'worker started');
    },
    async stop() {
      abort.abort();
      await scheduler.stop();
      await Promise.allSettled(loops);
      await feed.close?.();
    },
    async metricsText() {
      const backlog = await feed.backlog();
      return renderMetrics(metrics, scheduler.jobs, {
        outboxLagSeconds: backlog.lagSeconds,
        outboxPending: backlog.pending,
        deadLettersOpen: backlog.deadLetters,
        relay:
          backlog.relayPending === undefined
            ? undefined
            : {
                lagSeconds: backlog.relayLagSeconds ?? 0,
                pending: backlog.relayPending,
                natsConnected: feed.ready?.().ready ?? false,
              },
      });
    },
    healthy() {
      const now = Date.now();
      const staleMs = loopStaleMs + Math.max(config.pollIntervalMs, config.jobTickMs);
      return now - progress.outbox < staleMs && now - progress.jobs < staleMs;
    },
    ready() {
      return feed.ready?.() ?? { ready: true };
    },
  };
}
