/**
 * The worker's limits and retention periods (platform/constants.ts holds the API's). Each says
 * what it costs when raised. Units are the last word of each name.
 */

/** Longest error text kept on a dead letter or a job lease. Longer costs storage for nothing a person reads. */
export const errorTextLengthMax = 500;
/** Largest outbox batch one claim takes. Larger holds more events hidden from other workers per claim. */
export const outboxBatchSizeMax = 1_000;
/** Longest back-off between attempts of a failing event. Longer delays recovery after a fix. */
export const outboxRetryDelayMaxMs = 5 * 60 * 1000;
/** Longest a failed job waits before it is tried again, whatever its interval. */
export const jobRetryDelayMaxMs = 60 * 1000;
/** Rows one purge statement deletes. Larger holds row locks and WAL longer per statement. */
export const purgeBatchSize = 1_000;
/** Purge statements per job run, so one run ends (and hands back its lease) even on a huge backlog. */
export const purgeBatchesPerRunMax = 100;
/**
 * Sessions (customer_sessions) are deleted this long after they expired or ended: the customer's
 * device list shows open sessions only, and the sign-in itself stays in the audit log.
 */
export const sessionRetentionMs = 30 * 24 * 60 * 60 * 1000;
/**
 * Daily outgoing totals (outgoing_daily_totals) are deleted this many days after their day: the
 * limits read only the current UTC day; a week leaves room to investigate a limit complaint.
 */
export const dailyTotalsRetentionDays = 7;
/**
 * Published outbox events (and their outbox_consumed rows) are deleted this long after every
 * consumer handled them: long enough to replay a week into a new consumer by hand. Dead letters stay.
 */
export const publishedEventRetentionMs = 7 * 24 * 60 * 60 * 1000;
/** /healthz turns red when a loop made no progress for this long (a wedged database or event loop). */
export const loopStaleMs = 2 * 60 * 1000;
/** Most dead letters `dead-letters list` prints. */
export const deadLetterListMax = 100;
/** Longest pause of the NATS relay after failed publishes. Longer delays catching up after NATS returns. */
export const relayBackoffMaxMs = 30 * 1000;
/** First pause of the relay after a failed publish; doubles per failure up to relayBackoffMaxMs. */
export const relayBackoffBaseMs = 250;
/** How long one JetStream publish waits for its acknowledgement before the relay counts it failed. */
export const natsPublishTimeoutMs = 5 * 1000;
/** How long connecting to NATS may take before the relay backs off. */
export const natsConnectTimeoutMs = 2 * 1000;
/** How long one pull from the JetStream consumer waits for messages (the client's minimum is 1 s). */
export const natsFetchExpiresMs = 1_000;
/** Messages the durable consumer hands out unacknowledged at once, over all workers. Higher holds more in flight. */
export const natsMaxAckPending = 1_000;
/** JetStream keeps relayed events this long (limits retention), like published outbox rows. */
export const natsStreamMaxAgeMs = 7 * 24 * 60 * 60 * 1000;
/** How often the fraud model's drift is checked. Each run reads up to fraudDriftSampleMax decisions and stores one report. */
export const fraudDriftIntervalMs = 60 * 60 * 1000;
/**
 * The decisions one drift check compares with training: a day holds each hour's traffic pattern
 * once (a shorter window would see the night's mix as drift). Also the least time between two
 * drift alerts of one model, since a run within it reads mostly the rows the alert was about.
 */
export const fraudDriftWindowMs = 24 * 60 * 60 * 1000;
/**
 * Most decisions one drift check reads, newest first: each carries ~1.5 KB of features, read and
 * held until the PSI is computed, so ~30 MB; a full run measured 0.35–0.4 s on PostgreSQL and
 * 0.4–0.6 s on PGlite, whose one connection the read holds meanwhile (docs/ml/drift-monitoring.md).
 */
export const fraudDriftSampleMax = 20_000;

/** How often the insights queue job runs by default: each run takes at most insightQueueBatchMax customers (apps/api/src/insights/constants.ts). */
export const insightsQueueIntervalMs = 30 * 1000;
/** How often the insights sweep job looks whether its daily pass is due, and moves a running one on. */
export const insightsSweepIntervalMs = 60 * 1000;
