import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import {
  Categoriser,
  type Category,
  categories,
  categorise,
  InvalidArtifact,
  labelledTexts,
  loadModelArtifact,
  type ModelArtifact,
  mccCategory,
  normaliseText,
  tensorflowProbabilities,
  textFeatures,
  trainCategoriser,
} from '../src/index.ts';

const committed = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '..', 'models', 'categoriser.json'), 'utf8'),
) as ModelArtifact;

describe('the MCC table', () => {
  it('maps ISO 18245 codes and ranges to categories, and leaves unknown codes to the model', () => {
    const cases: [string | null, Category | undefined][] = [
      ['5411', 'groceries'],
      ['5462', 'groceries'],
      ['5812', 'eating_out'],
      ['5814', 'eating_out'],
      ['4111', 'transport'],
      ['5541', 'transport'],
      ['5651', 'shopping'],
      ['5732', 'shopping'],
      ['4900', 'bills_utilities'],
      ['6300', 'bills_utilities'],
      ['4899', 'subscriptions'],
      ['7997', 'subscriptions'],
      ['5815', 'entertainment'],
      ['5912', 'health'],
      ['8021', 'health'],
      ['3005', 'travel'],
      ['7011', 'travel'],
      ['6011', 'cash'],
      ['9311', 'fees'],
      ['0742', undefined],
      ['9999', undefined],
      ['54', undefined],
      [null, undefined],
    ];
    for (const [mcc, category] of cases) assert.equal(mccCategory(mcc), category, String(mcc));
  });
});

describe('the text features', () => {
  it('drop digits, punctuation, case and accents, and have unit length', () => {
    assert.equal(normaliseText('CRV*FRESHMART BERLIN #0423 12/03'), 'crv freshmart berlin');
    assert.equal(normaliseText('Café Minute'), 'cafe minute');
    const x = textFeatures({ description: 'SQ *Bakery Korn', channel: 'card', moneyIn: false });
    assert.ok(Math.abs(x.reduce((s, v) => s + v * v, 0) - 1) < 1e-12);
    const empty = textFeatures({ description: '', channel: 'transfer', moneyIn: true });
    assert.ok(empty.some((v) => v > 0));
  });
});

describe('categoriser training', () => {
  const data = { seed: 3, customers: 60, days: 62, start: '2026-01-01', fraudRate: 0 };
  const examples = labelledTexts({ data, variationSeed: 31, variedShare: 0.7, perCategory: 150 });
  const heldOut = labelledTexts({ data: { ...data, seed: 4 }, variationSeed: 41, variedShare: 1, perCategory: 40 });
  const options = { seed: 1, epochs: 3, hiddenUnits: 16, batchSize: 64, learningRate: 0.01 };
  const about = { dataSeed: 3, createdAt: '2026-12-04T00:00:00.000Z', variationSeed: 31, heldOutSeed: 4 };
  let trained: Awaited<ReturnType<typeof trainCategoriser>>;
  before(async () => {
    trained = await trainCategoriser(examples, heldOut, options, about);
  });

  it('trains to the same weights from the same seed', async () => {
    const again = await trainCategoriser(examples, heldOut, options, about);
    assert.equal(again.artifact.weights, trained.artifact.weights);
    assert.equal(again.artifact.sha256, trained.artifact.sha256);
    const other = await trainCategoriser(examples, heldOut, { ...options, seed: 2 }, about);
    assert.notEqual(other.artifact.weights, trained.artifact.weights);
  });

  it('scores the held-out texts in its metrics', () => {
    const m = trained.artifact.metrics;
    assert.equal(m.heldout_examples, heldOut.length);
    assert.ok(Number(m.heldout_accuracy) > 0.8, `accuracy ${m.heldout_accuracy}`);
    assert.equal(typeof m.heldout_accuracy_groceries, 'number');
  });

  it('predicts as TensorFlow.js does, to within 1e-5, with a pure JS forward pass', async () => {
    const categoriser = await Categoriser.fromArtifact(trained.artifact);
    const { model } = await loadModelArtifact(trained.artifact);
    const expected = await tensorflowProbabilities(model, heldOut);
    model.dispose();
    let largest = 0;
    for (const [k, example] of heldOut.entries()) {
      const p = categoriser.probabilities(example.input);
      for (let j = 0; j < categories.length; j++) {
        largest = Math.max(largest, Math.abs((p[j] as number) - (expected[k * categories.length + j] as number)));
      }
    }
    assert.ok(largest < 1e-5, `largest difference ${largest}`);
  });

  it('survives a save and load as JSON, and refuses an edited artifact', async () => {
    const text = JSON.stringify(trained.artifact);
    const loaded = await Categoriser.fromArtifact(JSON.parse(text));
    const original = await Categoriser.fromArtifact(trained.artifact);
    for (const example of heldOut.slice(0, 50)) {
      assert.deepEqual(loaded.probabilities(example.input), original.probabilities(example.input));
    }
    assert.equal(loaded.sha256, trained.artifact.sha256);
    const edited = { ...JSON.parse(text), labels: [...categories].reverse() };
    await assert.rejects(Categoriser.fromArtifact(edited), InvalidArtifact);
    const fraud = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'models', 'fraud.json'), 'utf8'));
    await assert.rejects(Categoriser.fromArtifact(fraud), /not a categoriser/);
  });
});

describe('categorising a booking', () => {
  let model: Categoriser;
  before(async () => {
    model = await Categoriser.fromArtifact(committed);
  });
  const card = {
    counterparty: 'mer_1',
    mcc: '5411',
    description: 'FreshMart Berlin',
    channel: 'card',
    amountMinor: '-2457',
  } as const;

  it('takes the customer’s correction first, then a detected subscription, then the MCC, then the model', () => {
    assert.deepEqual(categorise(card, { model, overrides: new Map([['mer_1', 'eating_out']]) }), {
      category: 'eating_out',
      source: 'override',
      confidence: 1,
    });
    assert.equal(categorise(card, { model, subscriptions: new Set(['mer_1']) }).source, 'subscription');
    assert.deepEqual(categorise(card, { model }), { category: 'groceries', source: 'mcc', confidence: 1 });
    const unknownCode = categorise({ ...card, mcc: null, description: 'SQ *FRESHMART HAMBURG 0042' }, { model });
    assert.equal(unknownCode.source, 'model');
    assert.equal(unknownCode.category, 'groceries');
  });

  it('keeps a recurring bill a bill: rent and energy recur, but are not subscriptions', () => {
    const recurring = { model, subscriptions: new Set(['mer_rent', 'mer_power', 'mer_stream']) };
    const booked = (counterparty: string, description: string, amountMinor: string) =>
      categorise({ counterparty, mcc: null, description, channel: 'card', amountMinor }, recurring);
    assert.equal(booked('mer_rent', 'Rent', '-74000').category, 'rent_housing');
    assert.equal(booked('mer_power', 'GreenPower', '-11592').category, 'bills_utilities');
    assert.deepEqual(booked('mer_stream', 'Pixel Pizza Club', '-999'), {
      category: 'subscriptions',
      source: 'subscription',
      confidence: 1,
    });
  });

  it('reads transfers the committed model never saw in these words', () => {
    const transfer = (description: string, amountMinor: string, channel: 'transfer' | 'standing_order' = 'transfer') =>
      categorise({ counterparty: 'ext_1', mcc: null, description, channel, amountMinor }, { model }).category;
    assert.equal(transfer('SEPA SALARY 2026-07 4711', '250000'), 'income');
    assert.equal(transfer('Ref: RENT 01.08.', '-80000', 'standing_order'), 'rent_housing');
    assert.equal(transfer('Dinner 12/03', '-2500'), 'transfers');
  });

  it('is the committed artifact, with its held-out accuracy recorded', () => {
    assert.equal(committed.name, 'categoriser');
    assert.ok(Number(committed.metrics.heldout_accuracy) >= 0.95);
    assert.ok(Number(committed.metrics.heldout_examples) > 5000);
  });
});
