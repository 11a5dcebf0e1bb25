// The worker's public surface: the API's main.ts (in-process worker) and tests import from here.
export {
  type FraudDriftSettings,
  type InsightsSettings,
  loadWorkerConfig,
  type NatsSettings,
  type WorkerConfig,
} from './config.ts';
export { type DeadLetter, listDeadLetters, replayDeadLetter } from './dead-letters.ts';
export { describeError } from './errors.ts';
export {
  type DriftAssessment,
  driftDetectedTopic,
  FraudModelUnavailable,
  fraudDriftJob,
  fraudDriftJobName,
} from './fraud-drift.ts';
export { serveWorkerHttp, type WorkerHttp } from './http.ts';
export {
  CategoriserUnavailable,
  type InsightsJobOptions,
  InsightsRunFailed,
  insightsJobs,
  insightsPurgeJobName,
  insightsQueueJobName,
  insightsSweepJobName,
} from './insights.ts';
export { createJetStreamLink, type JetStreamLink } from './jetstream.ts';
export { createJetStreamFeed, type JetStreamFeed, type JetStreamFeedOptions } from './jetstream-feed.ts';
export { type AuditChainHeads, auditJob, purges, retentionJobs } from './jobs.ts';
export { acquireLease, finishLease, type Lease, LeaseLost, stepUnderLease } from './leases.ts';
export { createMetrics, type WorkerMetrics } from './metrics.ts';
export {
  createOutboxConsumer,
  type EventFeed,
  type FeedBacklog,
  type OutboxEvent,
  type OutboxHandler,
} from './outbox.ts';
export { createOutboxRelay, type OutboxRelay, relayMessageId } from './relay.ts';
export { createScheduler, type JobContext, type ScheduledJob, type Scheduler } from './scheduler.ts';
export { type RunningWorker, startWorker } from './start.ts';
export { createWorker, type Worker, type WorkerLog, type WorkerOptions } from './worker.ts';
