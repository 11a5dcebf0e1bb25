/**
 * The worker's counters, rendered in Prometheus' text format (version 0.0.4) without a client
 * library: a handful of counters and gauges does not need one. Gauges that need the database
 * (lag, open dead letters) are read when scraped.
 */
export interface WorkerMetrics {
  eventsProcessed: number;
  eventsFailed: number;
  eventsDeadLettered: number;
  /** EVENT_FEED=nats: rows JetStream stored, publishes that failed, and copies it dropped as duplicates. */
  relayPublished: number;
  relayFailures: number;
  relayDuplicates: number;
  readonly jobRuns: Map<string, number>;
  readonly jobFailures: Map<string, number>;
  readonly jobLastSuccessS: Map<string, number>;
}

export function createMetrics(): WorkerMetrics {
  return {
    eventsProcessed: 0,
    eventsFailed: 0,
    eventsDeadLettered: 0,
    relayPublished: 0,
    relayFailures: 0,
    relayDuplicates: 0,
    jobRuns: new Map(),
    jobFailures: new Map(),
    jobLastSuccessS: new Map(),
  };
}

export function countJob(metrics: WorkerMetrics, job: string, outcome: 'succeeded' | 'failed'): void {
  metrics.jobRuns.set(job, (metrics.jobRuns.get(job) ?? 0) + 1);
  if (outcome === 'failed') metrics.jobFailures.set(job, (metrics.jobFailures.get(job) ?? 0) + 1);
  else metrics.jobLastSuccessS.set(job, Date.now() / 1000);
}

export interface ScrapedGauges {
  /** Age of the oldest event not yet handled by every consumer (0 when none). */
  readonly outboxLagSeconds: number;
  readonly outboxPending: number;
  readonly deadLettersOpen: number;
  /** Present with EVENT_FEED=nats only, like the relay counters. */
  readonly relay?: { readonly lagSeconds: number; readonly pending: number; readonly natsConnected: boolean };
}

function relayFamilies(metrics: WorkerMetrics, relay: NonNullable<ScrapedGauges['relay']>): string[] {
  return [
    family('ng_worker_relay_lag_seconds', 'gauge', 'Age of the oldest committed event not yet in JetStream.', [
      ['', relay.lagSeconds],
    ]),
    family('ng_worker_relay_pending_events', 'gauge', 'Committed events not yet in JetStream.', [['', relay.pending]]),
    family('ng_worker_nats_connected', 'gauge', '1 while the worker is connected to NATS.', [
      ['', relay.natsConnected ? 1 : 0],
    ]),
    family('ng_worker_relay_published_total', 'counter', 'Events JetStream stored from the relay.', [
      ['', metrics.relayPublished],
    ]),
    family('ng_worker_relay_failures_total', 'counter', 'Failed connects or publishes to NATS.', [
      ['', metrics.relayFailures],
    ]),
    family('ng_worker_relay_duplicates_total', 'counter', 'Republished events JetStream dropped as duplicates.', [
      ['', metrics.relayDuplicates],
    ]),
  ];
}

function family(name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  return lines.join('\n');
}

const byJob = (map: ReadonlyMap<string, number>, jobs: readonly string[]): [string, number][] =>
  jobs.map((job) => [`{job="${job}"}`, map.get(job) ?? 0]);

export function renderMetrics(metrics: WorkerMetrics, jobs: readonly string[], gauges: ScrapedGauges): string {
  const succeeded = jobs.filter((job) => metrics.jobLastSuccessS.has(job));
  return `${[
    family('ng_worker_outbox_lag_seconds', 'gauge', 'Age of the oldest outbox event not yet handled.', [
      ['', gauges.outboxLagSeconds],
    ]),
    family('ng_worker_outbox_pending_events', 'gauge', 'Outbox events not yet handled.', [['', gauges.outboxPending]]),
    family('ng_worker_outbox_dead_letters', 'gauge', 'Dead letters waiting for an operator.', [
      ['', gauges.deadLettersOpen],
    ]),
    family('ng_worker_outbox_events_processed_total', 'counter', 'Events every consumer handled.', [
      ['', metrics.eventsProcessed],
    ]),
    family('ng_worker_outbox_events_failed_total', 'counter', 'Failed attempts at an event.', [
      ['', metrics.eventsFailed],
    ]),
    family('ng_worker_outbox_events_dead_lettered_total', 'counter', 'Events moved to the dead letters.', [
      ['', metrics.eventsDeadLettered],
    ]),
    family('ng_worker_job_runs_total', 'counter', 'Job runs this process finished.', byJob(metrics.jobRuns, jobs)),
    family('ng_worker_job_failures_total', 'counter', 'Job runs that failed.', byJob(metrics.jobFailures, jobs)),
    family(
      'ng_worker_job_last_success_timestamp_seconds',
      'gauge',
      'When this process last finished each job.',
      byJob(metrics.jobLastSuccessS, succeeded),
    ),
    ...(gauges.relay ? relayFamilies(metrics, gauges.relay) : []),
  ].join('\n')}\n`;
}
