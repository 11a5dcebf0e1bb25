import { type DriftReference, driftAlertPsi, driftMinSample, driftReports, loadModelArtifact } from '@nextgen/ml';
import {
  artifactProblem,
  artifactSource,
  fraudModelBytesMax,
  insertOutboxEvent,
  newId,
  type Queryable,
} from '../../api/src/platform/index.ts';
import type { FraudDriftSettings } from './config.ts';
import type { ScheduledJob } from './scheduler.ts';

/**
 * The fraud model's drift monitor (docs/ml/drift-monitoring.md): each run compares the last
 * window's decisions of the model the worker loaded (fraud_decisions, model = name@version) with
 * the distributions that model was trained on (the artifact's drift reference), as the population
 * stability index of every feature and of the score, stores one report (migration 0093), and when
 * any PSI is above driftAlertPsi writes one `risk.drift_detected` event in the same transaction.
 * Idempotent enough to rerun: a run cut off before its second step wrote nothing; a rerun stores
 * its own report, and alerts only if no report of the model alerted within the window.
 */
export const fraudDriftJobName = 'fraud-drift';
export const driftDetectedTopic = 'risk.drift_detected';

/** The worker cannot monitor: no artifact, a broken one, or one without a drift reference. The message is safe to log. */
export class FraudModelUnavailable extends Error {
  override readonly name = 'FraudModelUnavailable';
}

interface DriftModel {
  /** As the API stores it in fraud_decisions.model. */
  readonly label: string;
  /** The artifact's features, in its order. */
  readonly features: readonly string[];
  readonly reference: DriftReference;
}

/** Checks the artifact as the API does (format, sha256, network); keeps only what drift needs. */
async function driftModelOf(text: string): Promise<DriftModel> {
  const { model, info } = await loadModelArtifact(JSON.parse(text));
  model.dispose();
  if (!info.drift) throw new FraudModelUnavailable('the artifact carries no drift reference: retrain it');
  return { label: `${info.name}@${info.version}`, features: info.features, reference: info.drift };
}

interface StoredDecision {
  readonly score: number;
  readonly features: Readonly<Record<string, unknown>>;
}

interface Sample {
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly decisions: readonly StoredDecision[];
}

/** One model's decisions of the window ending now (the database's clock), newest first, at most `sampleMax`. */
async function readDecisions(tx: Queryable, label: string, settings: FraudDriftSettings): Promise<Sample> {
  const window = await tx.query<{ start: Date; end: Date }>(
    'SELECT now() - make_interval(secs => $1::float8 / 1000) AS start, now() AS "end"',
    [settings.windowMs],
  );
  const { start: windowStart, end: windowEnd } = window.rows[0] as { start: Date; end: Date };
  const { rows } = await tx.query<StoredDecision>(
    `SELECT score, features FROM fraud_decisions
     WHERE model = $1 AND score IS NOT NULL AND created_at > $2 AND created_at <= $3
     ORDER BY created_at DESC LIMIT $4`,
    [label, windowStart, windowEnd, settings.sampleMax],
  );
  return { windowStart, windowEnd, decisions: rows };
}

export interface DriftAssessment {
  readonly status: 'stable' | 'drifted' | 'insufficient';
  readonly sampleSize: number;
  /** Decisions whose features lacked a finite value for one of the model's features (not compared). */
  readonly skippedRows: number;
  readonly scorePsi: number | undefined;
  readonly worstFeature: string | undefined;
  readonly worstFeaturePsi: number | undefined;
  readonly featurePsi: Readonly<Record<string, number>>;
}

/** The PSI of the score and of each feature over the decisions; pure. */
function assessDrift(model: DriftModel, decisions: readonly StoredDecision[]): DriftAssessment {
  const rows: number[][] = [];
  const scores: number[] = [];
  for (const decision of decisions) {
    const row = model.features.map((name) => decision.features[name]);
    if (!row.every((value): value is number => typeof value === 'number' && Number.isFinite(value))) continue;
    rows.push(row);
    scores.push(decision.score);
  }
  const skippedRows = decisions.length - rows.length;
  const none = { scorePsi: undefined, worstFeature: undefined, worstFeaturePsi: undefined, featurePsi: {} };
  if (rows.length < driftMinSample) return { status: 'insufficient', sampleSize: rows.length, skippedRows, ...none };
  // Worst first; the score's report is the one named 'score' (no feature has that name).
  const reports = driftReports(model.reference, model.features, rows, scores);
  const features = reports.filter((r) => r.name !== 'score');
  const worst = features[0];
  return {
    status: reports.some((r) => r.psi > driftAlertPsi) ? 'drifted' : 'stable',
    sampleSize: rows.length,
    skippedRows,
    scorePsi: reports.find((r) => r.name === 'score')?.psi,
    worstFeature: worst?.name,
    worstFeaturePsi: worst?.psi,
    featurePsi: Object.fromEntries(features.map((r) => [r.name, r.psi])),
  };
}

/**
 * Stores the report and, for a drifted one, the alert: one per model per window, since a run within
 * the window of the last alert reads mostly the decisions that alert was about (docs/ml/drift-monitoring.md).
 */
async function storeReport(
  tx: Queryable,
  model: DriftModel,
  sample: Sample,
  assessment: DriftAssessment,
  windowMs: number,
): Promise<void> {
  const recentAlert =
    assessment.status === 'drifted' &&
    (
      await tx.query(
        `SELECT 1 FROM fraud_drift_reports
         WHERE model = $1 AND alerted AND created_at > now() - make_interval(secs => $2::float8 / 1000) LIMIT 1`,
        [model.label, windowMs],
      )
    ).rows.length > 0;
  const alert = assessment.status === 'drifted' && !recentAlert;
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO fraud_drift_reports (model, window_start, window_end, sample_size, skipped_rows, status,
       score_psi, worst_feature, worst_feature_psi, feature_psi, alerted)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      model.label,
      sample.windowStart,
      sample.windowEnd,
      assessment.sampleSize,
      assessment.skippedRows,
      assessment.status,
      assessment.scorePsi ?? null,
      assessment.worstFeature ?? null,
      assessment.worstFeaturePsi ?? null,
      JSON.stringify(assessment.featurePsi),
      alert,
    ],
  );
  if (!alert) return;
  // Names and numbers only: which model, which feature moved, how far, over how many decisions.
  await insertOutboxEvent(tx, {
    id: newId('outboxEvent'),
    topic: driftDetectedTopic,
    aggregateId: model.label,
    payload: {
      reportId: (rows[0] as { id: string }).id,
      model: model.label,
      worstFeature: assessment.worstFeature ?? null,
      worstFeaturePsi: assessment.worstFeaturePsi ?? null,
      scorePsi: assessment.scorePsi ?? null,
      sampleSize: assessment.sampleSize,
      thresholdPsi: driftAlertPsi,
      windowStart: sample.windowStart.toISOString(),
      windowEnd: sample.windowEnd.toISOString(),
    },
  });
}

/**
 * The scheduled job. The artifact is loaded on the first run and kept; a missing or broken one
 * fails the run with FraudModelUnavailable (the scheduler logs a warning, counts the failure in
 * ng_worker_job_failures_total and job_leases, and retries within jobRetryDelayMaxMs), never the worker.
 */
export function fraudDriftJob(settings: FraudDriftSettings): ScheduledJob {
  const source = artifactSource(settings.modelPath, fraudModelBytesMax, settings.s3);
  let model: DriftModel | undefined;
  let tag: string | undefined;
  /**
   * The artifact the API scores with, read again each run when it changed (docs/adr/0132), so the
   * job follows a switched model. A broken new artifact keeps the model loaded before (the API keeps
   * scoring with it too, and raises risk.model_reload_failed); without any model the run fails.
   */
  async function currentModel(): Promise<DriftModel> {
    try {
      const read = await source.read(tag);
      if (read.kind === 'read') {
        model = await driftModelOf(read.text);
        tag = read.tag;
      }
    } catch (error) {
      if (!model)
        throw new FraudModelUnavailable(
          `fraud drift: ${error instanceof FraudModelUnavailable ? error.message : artifactProblem(error)}`,
        );
    }
    if (!model) throw new FraudModelUnavailable('fraud drift: the model could not be loaded');
    return model;
  }
  return {
    name: fraudDriftJobName,
    intervalMs: settings.intervalMs,
    async run(context) {
      const loaded = await currentModel();
      const sample = await context.step((tx) => readDecisions(tx, loaded.label, settings));
      if (context.signal.aborted) return;
      // Computed between the two steps: no transaction (and on PGlite no connection) is held meanwhile.
      const assessment = assessDrift(loaded, sample.decisions);
      await context.step((tx) => storeReport(tx, loaded, sample, assessment, settings.windowMs));
    },
  };
}
