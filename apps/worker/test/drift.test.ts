import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  type DriftBins,
  type DriftReference,
  driftMinSample,
  loadModelArtifact,
  type ModelArtifact,
  Random,
  saveModelArtifact,
} from '@nextgen/ml';
import { openPglite } from '../../api/src/platform/database.ts';
import { ConfigError, type Database, fraudModelBytesMax } from '../../api/src/platform/index.ts';
import { migrate } from '../../api/src/platform/migrations.ts';
import {
  createMetrics,
  createScheduler,
  createWorker,
  driftDetectedTopic,
  type FraudDriftSettings,
  fraudDriftJob,
  fraudDriftJobName,
  loadWorkerConfig,
  type ScheduledJob,
} from '../src/index.ts';
import { quietLog, testWorkerConfig, waitUntil, workerTestDatabase } from './helper.ts';

const modelPath = path.resolve(import.meta.dirname, '../../../packages/ml/models/fraud.json');
const artifact = JSON.parse(await readFile(modelPath, 'utf8')) as ModelArtifact;
const label = `${artifact.name}@${artifact.version}`;
const reference = artifact.drift as DriftReference;
const hourMs = 60 * 60 * 1000;

function settings(overrides: Partial<FraudDriftSettings> = {}): FraudDriftSettings {
  return {
    enabled: true,
    modelPath,
    s3: { region: undefined, endpoint: undefined },
    intervalMs: hourMs,
    windowMs: 24 * hourMs,
    sampleMax: 20_000,
    ...overrides,
  };
}

interface Decision {
  score: number;
  features: Record<string, number>;
}

/** A value drawn from the training distribution `bins`: a bin by its share, then uniform inside it. */
function drawFrom(bins: DriftBins, random: Random, low = -Infinity, high = Infinity): number {
  let u = random.next();
  let bin = 0;
  while (bin < bins.shares.length - 1 && u >= (bins.shares[bin] as number)) {
    u -= bins.shares[bin] as number;
    bin += 1;
  }
  const { edges } = bins;
  if (edges.length === 0) return random.uniform(Math.max(low, -1), Math.min(high, 1));
  const from = bin === 0 ? (edges[0] as number) - 1 : (edges[bin - 1] as number);
  const to = bin === edges.length ? (edges[bin - 1] as number) + 1 : (edges[bin] as number);
  return random.uniform(Math.max(low, from), Math.min(high, to));
}

/** Decisions whose every feature and score follow the model's training distributions (independently). */
function trainingLike(count: number, seed: number): Decision[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => ({
    score: drawFrom(reference.score, random, 0, 1),
    features: Object.fromEntries(
      artifact.features.map((name) => [name, drawFrom(reference.features[name] as DriftBins, random)]),
    ),
  }));
}

/** Every amount ten times larger: amount_log is ln(1 + major), so +ln 10 for amounts well above 1. */
const tenfoldAmounts = (decisions: Decision[]) =>
  decisions.map((d) => ({
    ...d,
    features: { ...d.features, amount_log: (d.features.amount_log ?? 0) + Math.log(10) },
  }));

async function insertDecisions(
  db: Database,
  decisions: readonly (Decision | { score: number | null; features: object })[],
  options: { model?: string; ageMs?: number } = {},
): Promise<void> {
  // Spread over the minute before `ageMs` ago, one statement for the lot.
  const rows = decisions.map((d, i) => ({ ...d, ageMs: (options.ageMs ?? 0) + 1_000 + (i % 60_000) }));
  await db.query(
    `INSERT INTO fraud_decisions (customer_id, score, rules_score, outcome, model, reasons, features, created_at)
     SELECT 'cus_drift_test', (d->>'score')::float8, 0, 'allow', $1, '[]', d->'features',
            now() - make_interval(secs => (d->>'ageMs')::float8 / 1000)
     FROM jsonb_array_elements($2::jsonb) AS d`,
    [options.model ?? label, JSON.stringify(rows)],
  );
}

/** Runs the job once through the scheduler (its lease, its steps), due or not; answers what it threw. */
async function runOnce(db: Database, job: ScheduledJob): Promise<unknown[]> {
  await db.query('UPDATE job_leases SET next_run_at = now() WHERE job = $1', [job.name]);
  const errors: unknown[] = [];
  const scheduler = createScheduler(db, [job], {
    holder: 'drift-test',
    leaseTtlMs: 10_000,
    metrics: createMetrics(),
    onError: (error) => errors.push(error),
  });
  await scheduler.tick();
  await scheduler.stop();
  return errors;
}

interface Report {
  id: string;
  model: string;
  sample_size: number;
  skipped_rows: number;
  status: string;
  score_psi: number | null;
  worst_feature: string | null;
  worst_feature_psi: number | null;
  feature_psi: Record<string, number>;
  alerted: boolean;
}

async function reports(db: Database): Promise<Report[]> {
  const { rows } = await db.query<Report>(
    `SELECT id, model, sample_size, skipped_rows, status, score_psi, worst_feature, worst_feature_psi,
            feature_psi, alerted
     FROM fraud_drift_reports ORDER BY created_at, id`,
  );
  return rows;
}

async function alerts(db: Database): Promise<{ aggregate_id: string; payload: Record<string, unknown> }[]> {
  const { rows } = await db.query<{ aggregate_id: string; payload: Record<string, unknown> }>(
    'SELECT aggregate_id, payload FROM outbox_events WHERE topic = $1 ORDER BY created_at, id',
    [driftDetectedTopic],
  );
  return rows;
}

async function database(t: TestContext): Promise<Database> {
  return (await workerTestDatabase(t)).pool(2);
}

describe('the fraud drift job', () => {
  it('reports a window drawn like the training data as stable, with no alert', async (t) => {
    const db = await database(t);
    await insertDecisions(db, trainingLike(1_000, 1));
    // A row the API could not have written (a feature missing) is counted, not compared.
    await insertDecisions(db, [{ score: 0.1, features: { amount_log: 2 } }]);
    assert.deepEqual(await runOnce(db, fraudDriftJob(settings())), []);
    const [report, ...more] = await reports(db);
    assert.equal(more.length, 0);
    assert.ok(report);
    assert.equal(report.model, label);
    assert.equal(report.status, 'stable');
    assert.equal(report.sample_size, 1_000);
    assert.equal(report.skipped_rows, 1);
    assert.equal(report.alerted, false);
    assert.ok((report.score_psi ?? 1) < 0.1, `score PSI ${report.score_psi}`);
    assert.deepEqual(Object.keys(report.feature_psi).sort(), [...artifact.features].sort());
    for (const [name, psi] of Object.entries(report.feature_psi)) assert.ok(psi < 0.1, `${name}: PSI ${psi}`);
    assert.equal(report.worst_feature_psi, Math.max(...Object.values(report.feature_psi)));
    assert.deepEqual(await alerts(db), []);
  });

  it('raises one risk.drift_detected when amounts are ten times larger, naming the feature', async (t) => {
    const db = await database(t);
    await insertDecisions(db, tenfoldAmounts(trainingLike(1_000, 2)));
    assert.deepEqual(await runOnce(db, fraudDriftJob(settings())), []);
    const [report] = await reports(db);
    assert.ok(report);
    assert.equal(report.status, 'drifted');
    assert.equal(report.alerted, true);
    assert.equal(report.worst_feature, 'amount_log');
    assert.ok((report.worst_feature_psi ?? 0) > 0.25, `amount_log PSI ${report.worst_feature_psi}`);
    assert.ok((report.score_psi ?? 1) < 0.1, 'the scores were drawn like training');
    const events = await alerts(db);
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event?.aggregate_id, label);
    // Names and numbers only: nothing of a customer.
    assert.deepEqual(Object.keys(event?.payload ?? {}).sort(), [
      'model',
      'reportId',
      'sampleSize',
      'scorePsi',
      'thresholdPsi',
      'windowEnd',
      'windowStart',
      'worstFeature',
      'worstFeaturePsi',
    ]);
    assert.equal(event?.payload.reportId, report.id);
    assert.equal(event?.payload.worstFeature, 'amount_log');
    assert.equal(event?.payload.worstFeaturePsi, report.worst_feature_psi);
    assert.equal(event?.payload.scorePsi, report.score_psi);
    assert.equal(event?.payload.sampleSize, 1_000);
    assert.equal(event?.payload.thresholdPsi, 0.25);
  });

  it('raises the alert on the score alone when every score is high', async (t) => {
    const db = await database(t);
    const highScores = trainingLike(500, 3).map((d, i) => ({ ...d, score: 0.9 + (i % 10) / 100 }));
    await insertDecisions(db, highScores);
    assert.deepEqual(await runOnce(db, fraudDriftJob(settings())), []);
    const [report] = await reports(db);
    assert.equal(report?.status, 'drifted');
    assert.ok((report?.score_psi ?? 0) > 0.25, `score PSI ${report?.score_psi}`);
    assert.ok((report?.worst_feature_psi ?? 1) < 0.25, 'the features were drawn like training');
    assert.equal((await alerts(db)).length, 1);
  });

  it("compares only the loaded model's decisions of the window, the newest sampleMax of them", async (t) => {
    const db = await database(t);
    await insertDecisions(db, trainingLike(300, 4));
    // Shifted, but not the loaded model's: another version, the rules alone (no score).
    await insertDecisions(db, tenfoldAmounts(trainingLike(500, 5)), { model: 'fraud@1.0.0' });
    await insertDecisions(
      db,
      trainingLike(500, 6).map((d) => ({ ...d, score: null })),
      { model: 'rules-only' },
    );
    // Shifted, the model's, but older than the window.
    await insertDecisions(db, tenfoldAmounts(trainingLike(500, 7)), { ageMs: 25 * hourMs });
    // Shifted, in the window, but older than the 300 newest.
    await insertDecisions(db, tenfoldAmounts(trainingLike(500, 8)), { ageMs: 2 * hourMs });
    assert.deepEqual(await runOnce(db, fraudDriftJob(settings({ sampleMax: 300 }))), []);
    const [report] = await reports(db);
    assert.equal(report?.status, 'stable');
    assert.equal(report?.sample_size, 300);
    assert.deepEqual(await alerts(db), []);
    // The same rows with a larger sample reach the shifted ones in the window: the bound is what kept them out.
    assert.deepEqual(await runOnce(db, fraudDriftJob(settings({ sampleMax: 1_000 }))), []);
    const second = (await reports(db))[1];
    assert.equal(second?.sample_size, 800);
    assert.equal(second?.status, 'drifted');
  });

  it('alerts once per model per window: a second run stores its report without a second event', async (t) => {
    const db = await database(t);
    await insertDecisions(db, tenfoldAmounts(trainingLike(400, 9)));
    const job = fraudDriftJob(settings());
    assert.deepEqual(await runOnce(db, job), []);
    assert.deepEqual(await runOnce(db, job), []);
    let stored = await reports(db);
    assert.deepEqual(
      stored.map((r) => [r.status, r.alerted]),
      [
        ['drifted', true],
        ['drifted', false],
      ],
    );
    assert.equal((await alerts(db)).length, 1);
    // A day later the drift is still there: the alert is raised again, once.
    await db.query("UPDATE fraud_drift_reports SET created_at = created_at - interval '25 hours'");
    await insertDecisions(db, tenfoldAmounts(trainingLike(400, 10)));
    assert.deepEqual(await runOnce(db, job), []);
    stored = await reports(db);
    assert.deepEqual(
      stored.map((r) => r.alerted),
      [true, false, true],
    );
    const events = await alerts(db);
    assert.equal(events.length, 2);
    assert.equal(events[1]?.payload.reportId, stored[2]?.id);
  });

  it(`stores an insufficient report, with no PSI and no alert, under ${driftMinSample} decisions`, async (t) => {
    const db = await database(t);
    await insertDecisions(db, tenfoldAmounts(trainingLike(driftMinSample - 1, 11)));
    const job = fraudDriftJob(settings());
    assert.deepEqual(await runOnce(db, job), []);
    const [report] = await reports(db);
    assert.equal(report?.status, 'insufficient');
    assert.equal(report?.sample_size, driftMinSample - 1);
    assert.equal(report?.score_psi, null);
    assert.equal(report?.worst_feature, null);
    assert.deepEqual(report?.feature_psi, {});
    assert.deepEqual(await alerts(db), []);
    // One more decision and the same shift is measured.
    await insertDecisions(db, tenfoldAmounts(trainingLike(1, 12)));
    assert.deepEqual(await runOnce(db, job), []);
    assert.equal((await reports(db))[1]?.status, 'drifted');
    assert.equal((await alerts(db)).length, 1);
  });

  it('fails the run without a usable artifact, writes nothing, and works once the file is fixed', async (t) => {
    const db = await database(t);
    const dir = await mkdtemp(path.join(tmpdir(), 'ng-drift-model-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'fraud.json');
    await insertDecisions(db, trainingLike(300, 13));
    const job = fraudDriftJob(settings({ modelPath: file }));
    const problems: string[] = [];
    const run = async () => {
      const errors = await runOnce(db, job);
      assert.equal(errors.length, 1);
      assert.equal((errors[0] as Error).name, 'FraudModelUnavailable');
      problems.push((errors[0] as Error).message);
    };
    await run();
    await writeFile(file, '{"format": "nextgen-model/1", ');
    await run();
    await writeFile(file, JSON.stringify({ ...artifact, version: '9.9.9' }));
    await run();
    await writeFile(file, ' '.repeat(fraudModelBytesMax + 1));
    await run();
    assert.deepEqual(problems, [
      'fraud drift: the model file does not exist',
      'fraud drift: the model file is not JSON',
      'fraud drift: the artifact is invalid: the artifact does not match its sha256: it was damaged or edited',
      `fraud drift: the model file is larger than ${fraudModelBytesMax} bytes`,
    ]);
    assert.deepEqual(await reports(db), []);
    const { rows } = await db.query<{ failures: bigint; last_error: string }>(
      'SELECT failures, last_error FROM job_leases WHERE job = $1',
      [fraudDriftJobName],
    );
    assert.equal(rows[0]?.failures, 4n);
    assert.match(rows[0]?.last_error ?? '', /FraudModelUnavailable/);
    await copyFile(modelPath, file);
    assert.deepEqual(await runOnce(db, job), []);
    assert.equal((await reports(db))[0]?.status, 'stable');
  });
});

describe('the fraud drift job after a model switch', () => {
  it('follows the artifact the API switched to, and keeps the old model when the new file is broken', async (t) => {
    const db = await database(t);
    const dir = await mkdtemp(path.join(tmpdir(), 'ng-drift-switch-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'fraud.json');
    await copyFile(modelPath, file);
    const job = fraudDriftJob(settings({ modelPath: file }));
    await insertDecisions(db, trainingLike(300, 21));
    assert.deepEqual(await runOnce(db, job), []);
    // The same weights saved as version 9.0.0: the API would now label its decisions fraud@9.0.0.
    const { model, info } = await loadModelArtifact(artifact);
    await writeFile(file, JSON.stringify(await saveModelArtifact(model, { ...info, version: '9.0.0' })));
    await insertDecisions(db, trainingLike(300, 22), { model: `${artifact.name}@9.0.0` });
    assert.deepEqual(await runOnce(db, job), []);
    await writeFile(file, '{ broken');
    assert.deepEqual(await runOnce(db, job), [], 'a broken new file keeps the model loaded before');
    const models = (await reports(db)).map((r) => [r.model, r.sample_size]);
    assert.deepEqual(models, [
      [label, 300],
      [`${artifact.name}@9.0.0`, 300],
      [`${artifact.name}@9.0.0`, 300],
    ]);
  });
});

describe('the fraud drift job on the embedded PGlite', () => {
  it('runs among the standard jobs on the one connection and alerts once', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ng-drift-pglite-'));
    const db = await openPglite(path.join(dir, 'pglite'));
    let worker: ReturnType<typeof createWorker> | undefined;
    t.after(async () => {
      await worker?.stop(); // before the database closes
      await db.close();
      await rm(dir, { recursive: true, force: true });
    });
    await migrate(db);
    await insertDecisions(db, tenfoldAmounts(trainingLike(1_000, 14)));
    worker = createWorker({ db, config: testWorkerConfig(), log: quietLog });
    assert.ok(worker.scheduler.jobs.includes(fraudDriftJobName));
    worker.start();
    await waitUntil('the drift report', async () => (await reports(db)).length > 0);
    const [report] = await reports(db);
    assert.equal(report?.status, 'drifted');
    assert.equal(report?.worst_feature, 'amount_log');
    assert.equal((await alerts(db)).length, 1);
  });
});

describe('the fraud drift settings', () => {
  it('follow the API: on where it scores transfers, off under NG_ENV=test, the same artifact', () => {
    const base = { DATABASE_URL: 'postgres://unused' };
    const standard = loadWorkerConfig(base, 'standalone').fraudDrift;
    assert.deepEqual(standard, {
      enabled: true,
      modelPath,
      s3: { region: undefined, endpoint: undefined },
      intervalMs: hourMs,
      windowMs: 24 * hourMs,
      sampleMax: 20_000,
    });
    assert.equal(loadWorkerConfig({ ...base, NG_ENV: 'test' }, 'standalone').fraudDrift.enabled, false);
    assert.equal(
      loadWorkerConfig({ ...base, NG_ENV: 'test', RISK_SCORING: 'true' }, 'standalone').fraudDrift.enabled,
      true,
    );
    assert.equal(
      loadWorkerConfig({ ...base, NG_ENV: 'test', RISK_SCORING: 'monitor' }, 'standalone').fraudDrift.enabled,
      true,
      'monitored decisions are scored, so their drift is watched (ADR 0134)',
    );
    const custom = loadWorkerConfig(
      {
        ...base,
        FRAUD_MODEL_PATH: 'models/other.json',
        WORKER_FRAUD_DRIFT_INTERVAL_MS: '600000',
        WORKER_FRAUD_DRIFT_WINDOW_MS: '7200000',
      },
      'standalone',
    ).fraudDrift;
    assert.equal(custom.modelPath, path.resolve('models/other.json'));
    const s3 = loadWorkerConfig(
      { ...base, FRAUD_MODEL_PATH: 's3://models/fraud/active.json', AWS_REGION: 'eu-central-1' },
      'standalone',
    ).fraudDrift;
    assert.equal(s3.modelPath, 's3://models/fraud/active.json', 'an S3 location is kept as given');
    assert.deepEqual(s3.s3, { region: 'eu-central-1', endpoint: undefined });
    assert.equal(custom.intervalMs, 600_000);
    assert.equal(custom.windowMs, 7_200_000);
    assert.throws(() => loadWorkerConfig({ ...base, WORKER_FRAUD_DRIFT_WINDOW_MS: '1000' }, 'standalone'), ConfigError);
    assert.throws(() => loadWorkerConfig({ ...base, RISK_SCORING: 'maybe' }, 'standalone'), ConfigError);
  });
});
