import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  defaultTrainingOptions,
  featureNames,
  featureVector,
  fraudLabelsFormat,
  generateTransactions,
  InterchangeError,
  labelledSet,
  readFraudLabels,
  trainFraudModel,
} from '../src/index.ts';
import { ordinary, takeover } from './snapshots.ts';

/** Analysts' reviews as training labels (src/fraud/labels.ts, docs/ml/fraud-labels.md). */
const dir = await mkdtemp(path.join(tmpdir(), 'ng-labels-'));
after(() => rm(dir, { recursive: true, force: true }));

const featuresOf = (values: Float64Array) => Object.fromEntries(featureNames.map((name, i) => [name, values[i]]));
const line = (label: 'fraud' | 'legitimate', features: Record<string, unknown>, extra: object = {}) =>
  JSON.stringify({
    format: fraudLabelsFormat,
    decisionId: '0193f0a2-0000-7000-8000-000000000001',
    decidedAt: '2026-12-04T10:00:00.000Z',
    labelledAt: '2026-12-04T11:00:00.000Z',
    model: 'fraud@1.2.0',
    label,
    features,
    ...extra,
  });

async function file(name: string, lines: readonly string[]): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, lines.map((l) => `${l}\n`).join(''));
  return target;
}

describe('reviewed fraud labels', () => {
  it('reads labelled feature rows in the model’s order and leaves out decisions with fewer features', async () => {
    const fraud = featuresOf(featureVector(takeover));
    const legit = featuresOf(featureVector(ordinary));
    const older = Object.fromEntries(Object.entries(legit).slice(0, 32));
    const labels = await readFraudLabels(
      await file('good.jsonl', [line('fraud', fraud), line('legitimate', legit), line('legitimate', older)]),
    );
    assert.equal(labels.read, 3);
    assert.equal(labels.skipped, 1, 'a decision made with 32 features cannot train a 39-feature model');
    assert.equal(labels.set.rows, 2);
    assert.deepEqual([...labels.set.labels], [1, 0]);
    assert.equal(labels.set.values.length, 2 * featureNames.length);
    assert.equal(labels.set.values[featureNames.indexOf('new_payee')], fraud.new_payee);
    assert.equal(labels.set.timesMs[0], Date.parse('2026-12-04T11:00:00.000Z'));
  });

  it('refuses a malformed line, naming the line and the field', async () => {
    const features = featuresOf(featureVector(ordinary));
    const cases: [string, string | null][] = [
      ['{not json', null],
      [line('maybe' as 'fraud', features), 'label'],
      [line('fraud', features, { format: 'nextgen-fraud-labels/0' }), 'format'],
      [line('fraud', features, { labelledAt: 'yesterday' }), 'labelledAt'],
      [line('fraud', { ...features, amount_z: 'high' }), 'features.amount_z'],
      [line('fraud', { ...features, amount_z: null }), 'features.amount_z'],
      [line('fraud', features, { decisionId: '' }), 'decisionId'],
      ['[1, 2]', null],
    ];
    for (const [bad, field] of cases) {
      const target = await file('bad.jsonl', [line('legitimate', features), bad]);
      await assert.rejects(readFraudLabels(target), (error: unknown) => {
        assert.ok(error instanceof InterchangeError, String(error));
        assert.equal(error.line, 2);
        assert.equal(error.field, field, bad);
        return true;
      });
    }
  });

  it('adds the reviewed rows to the training period and says so in the metrics', async () => {
    const tiny = { seed: 5, customers: 150, days: 30, start: '2026-01-01', fraudRate: 0.2 };
    const data = await labelledSet(generateTransactions(tiny));
    const labels = await readFraudLabels(
      await file('train.jsonl', [
        line('fraud', featuresOf(featureVector(takeover))),
        line('legitimate', featuresOf(featureVector(ordinary))),
      ]),
    );
    const about = { dataSeed: 'test', createdAt: '2026-12-04T12:00:00.000Z' };
    const options = { ...defaultTrainingOptions, maxEpochs: 1, members: 1 };
    const plain = await trainFraudModel(data, options, about);
    const withReviews = await trainFraudModel(data, options, about, labels.set);
    const m = withReviews.artifact.metrics;
    assert.equal(m.reviewed_rows, 2);
    assert.equal(m.reviewed_fraud_rows, 1);
    assert.equal(m.train_rows, (plain.artifact.metrics.train_rows as number) + 2);
    assert.equal(m.test_rows, plain.artifact.metrics.test_rows, 'the test period is the same');
    assert.notEqual(withReviews.artifact.sha256, plain.artifact.sha256);
  });
});
