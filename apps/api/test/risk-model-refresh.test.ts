import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { startFakeS3 } from '@nextgen/testkit';
import { ConfigError, loadConfig } from '../src/platform/config.ts';
import { freshKey, fundedCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';
import { modelVariant } from './risk-models.ts';

/**
 * Switching fraud models without a restart (docs/adr/0132): the risk module reads its artifact
 * again on each refresh (a file's size and time, an S3 object's ETag) and switches a changed,
 * valid one in; a broken one keeps the model in use and raises one alert per artifact version.
 */
/** The committed model saved again under another version (the same weights: only the label changes). */
const modelVersion = (version: string) => modelVariant((info) => ({ ...info, version }));

async function folder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-model-refresh-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The model label of the decision behind a fresh transfer. */
async function scoredBy(testApp: TestApp): Promise<string | undefined> {
  const payer = await fundedCustomer(testApp, 100_00n, 'Model Payer');
  const payee = await fundedCustomer(testApp, 0n, 'Model Payee');
  await testApp.injectAs(payer.customerId, {
    method: 'POST',
    url: '/api/v1/transfers',
    headers: { 'idempotency-key': freshKey() },
    payload: {
      fromAccountId: payer.account.id,
      to: { iban: payee.account.iban },
      amount: { amount: '5.00', currency: 'EUR' },
    },
  });
  const { rows } = await testApp.deps.db.query<{ model: string }>(
    'SELECT model FROM fraud_decisions WHERE customer_id = $1',
    [payer.customerId],
  );
  return rows[0]?.model;
}

async function events(testApp: TestApp, topic: string): Promise<Record<string, unknown>[]> {
  const { rows } = await testApp.deps.db.query<{ payload: Record<string, unknown> }>(
    'SELECT payload FROM outbox_events WHERE topic = $1 ORDER BY created_at',
    [topic],
  );
  return rows.map((r) => r.payload);
}

const scoringEnv = {
  RISK_SCORING: 'true',
  STEP_UP_NEW_PAYEE: 'false',
  STEP_UP_CUMULATIVE: 'false',
  STEP_UP_THRESHOLD: '100000',
};

describe('switching the fraud model without a restart', () => {
  it('switches to a changed file, keeps the model on a broken one and alerts once', async (t) => {
    const file = path.join(await folder(t), 'fraud.json');
    await writeFile(file, await modelVersion('7.0.0'));
    const testApp = await buildTestApp(t, { env: { ...scoringEnv, FRAUD_MODEL_PATH: file } });
    const risk = testApp.services.risk;
    assert.ok(risk);
    await risk.model;
    assert.equal(await scoredBy(testApp), 'fraud@7.0.0');
    assert.deepEqual(await risk.refreshModel(), { outcome: 'unchanged' });

    await writeFile(file, await modelVersion('7.1.0'));
    assert.deepEqual(await risk.refreshModel(), { outcome: 'switched', from: 'fraud@7.0.0', to: 'fraud@7.1.0' });
    assert.equal(await scoredBy(testApp), 'fraud@7.1.0');

    const valid = JSON.parse(await modelVersion('7.2.0'));
    await writeFile(file, JSON.stringify({ ...valid, version: '7.2.1' }), 'utf8'); // edited after signing: its sha256 fails
    const broken = await risk.refreshModel();
    assert.equal(broken.outcome, 'failed');
    assert.match(broken.outcome === 'failed' ? broken.problem : '', /sha256/);
    assert.equal(await scoredBy(testApp), 'fraud@7.1.0', 'the model in use stays');
    assert.deepEqual(await risk.refreshModel(), { outcome: 'unchanged' }, 'the broken version is not read again');
    const alerts = await events(testApp, 'risk.model_reload_failed');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.scoring, 'fraud@7.1.0');
    assert.doesNotMatch(JSON.stringify(alerts), /weights|topology/, 'no artifact content in the alert');

    await writeFile(file, await modelVersion('7.2.0'));
    assert.equal((await risk.refreshModel()).outcome, 'switched');
    assert.equal(await scoredBy(testApp), 'fraud@7.2.0');
  });

  it('starts on the rules without a model and switches the model in once it appears', async (t) => {
    const file = path.join(await folder(t), 'fraud.json');
    const testApp = await buildTestApp(t, { env: { ...scoringEnv, FRAUD_MODEL_PATH: file } });
    const risk = testApp.services.risk;
    assert.ok(risk);
    assert.equal((await risk.model).kind, 'rules-only');
    assert.equal(await scoredBy(testApp), 'rules-only');
    const missing = await risk.refreshModel();
    assert.equal(missing.outcome === 'failed' && missing.artifact, 'unreachable');
    assert.equal((await events(testApp, 'risk.model_reload_failed')).length, 0, 'a missing file is not a broken model');
    await writeFile(file, await modelVersion('8.0.0'));
    assert.deepEqual(await risk.refreshModel(), { outcome: 'switched', from: 'rules-only', to: 'fraud@8.0.0' });
    assert.equal(await scoredBy(testApp), 'fraud@8.0.0');
  });

  it('polls on its own every FRAUD_MODEL_REFRESH_MS and reports each switch', async (t) => {
    const file = path.join(await folder(t), 'fraud.json');
    await writeFile(file, await modelVersion('9.0.0'));
    const testApp = await buildTestApp(t, {
      env: { ...scoringEnv, FRAUD_MODEL_PATH: file, FRAUD_MODEL_REFRESH_MS: '50' },
    });
    const risk = testApp.services.risk;
    assert.ok(risk);
    await risk.model;
    const reported: string[] = [];
    const switched = new Promise<void>((resolve) => {
      const stop = risk.startModelRefresh((refresh) => {
        reported.push(refresh.outcome === 'switched' ? refresh.to : refresh.problem);
        stop();
        resolve();
      });
      t.after(stop);
    });
    await writeFile(file, await modelVersion('9.1.0'));
    await switched;
    assert.deepEqual(reported, ['fraud@9.1.0']);
  });

  it('loads the model from S3 and switches when the object changes (conditional GET)', async (t) => {
    const s3 = await startFakeS3();
    t.after(() => s3.close());
    s3.createBucket('models-test');
    s3.putObject('models-test', 'fraud/active.json', Buffer.from(await modelVersion('10.0.0')));
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
    t.after(() => {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    const env = {
      ...scoringEnv,
      FRAUD_MODEL_PATH: 's3://models-test/fraud/active.json',
      FRAUD_MODEL_S3_REGION: s3.region,
      FRAUD_MODEL_S3_ENDPOINT: s3.endpoint,
    };
    const testApp = await buildTestApp(t, { env });
    const risk = testApp.services.risk;
    assert.ok(risk);
    const started = await risk.model;
    assert.equal(started.label, 'fraud@10.0.0', started.kind === 'rules-only' ? started.problem : '');
    assert.deepEqual(await risk.refreshModel(), { outcome: 'unchanged' }, 'the same ETag: 304');
    s3.putObject('models-test', 'fraud/active.json', Buffer.from(await modelVersion('10.1.0')));
    assert.deepEqual(await risk.refreshModel(), { outcome: 'switched', from: 'fraud@10.0.0', to: 'fraud@10.1.0' });
    assert.equal(await scoredBy(testApp), 'fraud@10.1.0');
    assert.deepEqual(s3.refused, [], 'every request was signed');
  });

  it('refuses a malformed s3:// location and one without a region', () => {
    const base = { NG_ENV: 'test', RISK_SCORING: 'true' };
    assert.throws(
      () => loadConfig({ ...base, FRAUD_MODEL_PATH: 's3://Bad_Bucket/x.json', AWS_REGION: 'eu-central-1' }),
      (e: unknown) => e instanceof ConfigError && /FRAUD_MODEL_PATH/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ...base, FRAUD_MODEL_PATH: 's3://models/x.json' }),
      (e: unknown) => e instanceof ConfigError && /FRAUD_MODEL_S3_REGION/.test(e.message),
    );
    assert.equal(
      loadConfig({ ...base, FRAUD_MODEL_PATH: 's3://models/fraud/x.json', AWS_REGION: 'eu-central-1' }).fraudModelPath,
      's3://models/fraud/x.json',
    );
  });
});
