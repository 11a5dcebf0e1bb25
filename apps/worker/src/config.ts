import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, riskScoringMode } from '../../api/src/platform/index.ts';
import {
  fraudDriftIntervalMs,
  fraudDriftSampleMax,
  fraudDriftWindowMs,
  insightsQueueIntervalMs,
  insightsSweepIntervalMs,
  outboxBatchSizeMax,
} from './constants.ts';

/**
 * The worker's settings (WORKER_*), read once and validated like the API's (platform/config.ts).
 * Database and data folder come from the API's own settings, so both always open the same data.
 */
export interface WorkerConfig {
  /** Port of /metrics and /healthz; undefined serves neither (the in-process worker without WORKER_PORT). */
  readonly port: number | undefined;
  readonly host: string;
  /** Whether `./ng start` runs the worker in the API's process: default on the embedded PGlite only. */
  readonly inProcess: boolean;
  /** Pause between outbox polls that found less than a full batch. */
  readonly pollIntervalMs: number;
  readonly batchSize: number;
  /** Attempts before an event goes to the dead letters. */
  readonly maxAttempts: number;
  /** First back-off after a failed attempt; doubles per attempt up to outboxRetryDelayMaxMs. */
  readonly retryBaseMs: number;
  /** How long a claimed event stays hidden from other workers (a worker that died mid-batch). */
  readonly claimTimeoutMs: number;
  /** How long a job's lease lasts without a step renewing it (a worker that died mid-job). */
  readonly leaseTtlMs: number;
  /** Pause between two looks for due jobs. */
  readonly jobTickMs: number;
  /** How often each retention purge runs. */
  readonly purgeIntervalMs: number;
  /** How often the audit chain is sealed and its head exported. */
  readonly auditIntervalMs: number;
  /** Where events come from (EVENT_FEED): the outbox table itself, or NATS JetStream via the relay (ADR 0100). */
  readonly feed: 'postgres' | 'nats';
  /** JetStream settings; read (and validated) only with EVENT_FEED=nats. */
  readonly nats: NatsSettings;
  /** The fraud model's drift monitor (job `fraud-drift`, docs/ml/drift-monitoring.md). */
  readonly fraudDrift: FraudDriftSettings;
  /** Financial insights (jobs `insights-queue` and `insights-sweep`, docs/api/insights.md). */
  readonly insights: InsightsSettings;
}

export interface InsightsSettings {
  /** WORKER_INSIGHTS, on by default. */
  readonly enabled: boolean;
  /** CATEGORISER_PATH: the categoriser artifact the API loads too; packages/ml/models/categoriser.json by default. */
  readonly categoriserPath: string;
  /** How often the queue job runs (WORKER_INSIGHTS_INTERVAL_MS); each run takes at most insightQueueBatchMax customers. */
  readonly queueIntervalMs: number;
  /** How often the sweep job looks whether a pass is due or running (WORKER_INSIGHTS_SWEEP_INTERVAL_MS). */
  readonly sweepIntervalMs: number;
  /** How often old insights are purged: WORKER_PURGE_INTERVAL_MS, as the other retention purges. */
  readonly purgeIntervalMs: number;
}

export interface FraudDriftSettings {
  /** Runs when the API scores transfers (RISK_SCORING, read as the API reads it): otherwise no model decides. */
  readonly enabled: boolean;
  /** FRAUD_MODEL_PATH, the same artifact the API scores with (a file or s3://bucket/key); packages/ml/models/fraud.json by default. */
  readonly modelPath: string;
  /** For an s3:// model, as the API reads them: FRAUD_MODEL_S3_REGION (or AWS_REGION), FRAUD_MODEL_S3_ENDPOINT. */
  readonly s3: { readonly region: string | undefined; readonly endpoint: string | undefined };
  readonly intervalMs: number;
  /** Decisions of this long before the run are compared; also the least time between two alerts of one model. */
  readonly windowMs: number;
  /** Most decisions one run reads, newest first (fraudDriftSampleMax). */
  readonly sampleMax: number;
}

export interface NatsSettings {
  /** NATS_URL: one or more comma-separated `nats://` or `tls://` addresses. May hold credentials: never logged. */
  readonly servers: readonly string[];
  readonly stream: string;
  /** Events go to `<subjectPrefix>.<topic>`; the stream listens on `<subjectPrefix>.>`. */
  readonly subjectPrefix: string;
  /** The durable pull consumer's name, shared by every worker replica. */
  readonly consumer: string;
  /** JetStream's duplicate window: a relay that crashed after publishing and republishes within it is deduplicated. */
  readonly duplicateWindowMs: number;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it (a worker that died). */
  readonly ackWaitMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

const natsName = /^[A-Za-z0-9_-]{1,64}$/;
const natsSubjectPrefix = /^[A-Za-z0-9_-]{1,32}(\.[A-Za-z0-9_-]{1,32}){0,3}$/;

function name(env: Env, variable: string, fallback: string, pattern: RegExp): string {
  const raw = env[variable]?.trim() || fallback;
  if (!pattern.test(raw)) throw new ConfigError(variable, `must match ${pattern}, got "${raw}"`);
  return raw;
}

function natsServers(env: Env): string[] {
  const raw = env.NATS_URL?.trim() || 'nats://127.0.0.1:4222';
  const servers = raw.split(',').map((s) => s.trim());
  for (const server of servers) {
    // The value may carry a user and password: the error names the rule, never the value.
    if (!/^(nats|tls):\/\/[^\s/]+$/.test(server)) {
      throw new ConfigError('NATS_URL', 'must be nats://host:port or tls://host:port, comma-separated');
    }
  }
  return servers;
}

function loadNatsSettings(env: Env, feed: 'postgres' | 'nats'): NatsSettings {
  const minute = 60_000;
  const defaults = {
    servers: ['nats://127.0.0.1:4222'],
    stream: 'NG_OUTBOX',
    subjectPrefix: 'ng.outbox',
    consumer: 'ng-worker',
    duplicateWindowMs: 2 * minute,
    ackWaitMs: 30_000,
  };
  if (feed === 'postgres') return defaults;
  return {
    servers: natsServers(env),
    stream: name(env, 'NATS_STREAM', defaults.stream, natsName),
    subjectPrefix: name(env, 'NATS_SUBJECT_PREFIX', defaults.subjectPrefix, natsSubjectPrefix),
    consumer: name(env, 'NATS_CONSUMER', defaults.consumer, natsName),
    duplicateWindowMs: integer(env, 'NATS_DUPLICATE_WINDOW_MS', defaults.duplicateWindowMs, 1_000, 24 * 60 * minute),
    ackWaitMs: integer(env, 'NATS_ACK_WAIT_MS', defaults.ackWaitMs, 1_000, 60 * minute),
  };
}

function eventFeed(env: Env): 'postgres' | 'nats' {
  const raw = env.EVENT_FEED?.trim() || 'postgres';
  if (raw !== 'postgres' && raw !== 'nats')
    throw new ConfigError('EVENT_FEED', `must be postgres or nats, got "${raw}"`);
  return raw;
}

/** The committed model, resolved from this file so the default does not depend on the working directory. */
const repositoryFraudModel = fileURLToPath(new URL('../../../packages/ml/models/fraud.json', import.meta.url));

/** An s3:// location as given; a file path resolved against the working directory. */
const modelLocation = (location: string) => (location.startsWith('s3://') ? location : path.resolve(location));

function fraudDriftSettings(env: Env): FraudDriftSettings {
  const hour = 60 * 60 * 1000;
  return {
    // Read as the API reads it (platform/config.ts). Monitored decisions (RISK_SCORING=monitor,
    // ADR 0134) are scored as usual, so their drift is watched too.
    enabled: riskScoringMode(env, env.NG_ENV?.trim() ?? '') !== 'off',
    modelPath: modelLocation(env.FRAUD_MODEL_PATH?.trim() || repositoryFraudModel),
    s3: {
      region: env.FRAUD_MODEL_S3_REGION?.trim() || env.AWS_REGION?.trim() || undefined,
      endpoint: env.FRAUD_MODEL_S3_ENDPOINT?.trim() || undefined,
    },
    intervalMs: integer(env, 'WORKER_FRAUD_DRIFT_INTERVAL_MS', fraudDriftIntervalMs, 60_000, 24 * hour),
    windowMs: integer(env, 'WORKER_FRAUD_DRIFT_WINDOW_MS', fraudDriftWindowMs, hour, 30 * 24 * hour),
    sampleMax: fraudDriftSampleMax,
  };
}

const repositoryCategoriser = fileURLToPath(new URL('../../../packages/ml/models/categoriser.json', import.meta.url));

function insightsSettings(env: Env, purgeIntervalMs: number): InsightsSettings {
  return {
    purgeIntervalMs,
    enabled: flag(env, 'WORKER_INSIGHTS', true),
    categoriserPath: path.resolve(env.CATEGORISER_PATH?.trim() || repositoryCategoriser),
    queueIntervalMs: integer(env, 'WORKER_INSIGHTS_INTERVAL_MS', insightsQueueIntervalMs, 10, 60 * 60_000),
    sweepIntervalMs: integer(env, 'WORKER_INSIGHTS_SWEEP_INTERVAL_MS', insightsSweepIntervalMs, 10, 24 * 60 * 60_000),
  };
}

/**
 * `mode` says who runs the worker: `./ng worker` serves /metrics on 9464 by default; the
 * in-process worker of `./ng start` only when WORKER_PORT is set (the API has its own port).
 */
export function loadWorkerConfig(env: Env, mode: 'standalone' | 'in-process'): WorkerConfig {
  const hasPort = Boolean(env.WORKER_PORT?.trim());
  const port = mode === 'standalone' || hasPort ? integer(env, 'WORKER_PORT', 9464, 0, 65535) : undefined;
  const hour = 60 * 60 * 1000;
  const feed = eventFeed(env);
  const purgeIntervalMs = integer(env, 'WORKER_PURGE_INTERVAL_MS', 10 * 60_000, 1_000, 24 * hour);
  return {
    port,
    host: env.WORKER_HOST?.trim() || '127.0.0.1',
    inProcess: flag(env, 'WORKER_IN_PROCESS', !env.DATABASE_URL?.trim()),
    pollIntervalMs: integer(env, 'WORKER_POLL_INTERVAL_MS', 500, 10, 60_000),
    batchSize: integer(env, 'WORKER_BATCH_SIZE', 100, 1, outboxBatchSizeMax),
    maxAttempts: integer(env, 'WORKER_MAX_ATTEMPTS', 8, 1, 100),
    retryBaseMs: integer(env, 'WORKER_RETRY_BASE_MS', 1_000, 1, 60_000),
    claimTimeoutMs: integer(env, 'WORKER_CLAIM_TIMEOUT_MS', 60_000, 100, hour),
    leaseTtlMs: integer(env, 'WORKER_LEASE_TTL_MS', 30_000, 100, hour),
    jobTickMs: integer(env, 'WORKER_JOB_TICK_MS', 5_000, 10, 10 * 60_000),
    purgeIntervalMs,
    auditIntervalMs: integer(env, 'WORKER_AUDIT_INTERVAL_MS', 60_000, 1_000, 24 * hour),
    feed,
    nats: loadNatsSettings(env, feed),
    fraudDrift: fraudDriftSettings(env),
    insights: insightsSettings(env, purgeIntervalMs),
  };
}
