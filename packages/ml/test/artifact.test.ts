import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArtifact, loadModelArtifact, saveModelArtifact } from '../src/artifact.ts';
import { fitDriftBins } from '../src/drift.ts';
import { tensorflow } from '../src/tensorflow.ts';

/** A small logistic model trained deterministically (seeded initialiser, no shuffling). */
async function trainedModel() {
  const tf = await tensorflow();
  // Named layers: otherwise TensorFlow.js numbers them per process and the topology differs.
  const model = tf.sequential({
    name: 'or',
    layers: [
      tf.layers.dense({
        name: 'score',
        units: 1,
        inputShape: [2],
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.1), loss: 'binaryCrossentropy' });
  const xs = tf.tensor2d([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  await model.fit(xs, tf.tensor2d([[0], [1], [1], [1]]), { epochs: 150, verbose: 0, shuffle: false });
  return { model, xs };
}

const info = {
  name: 'fraud',
  version: '2026-12-03.1',
  features: ['amount_z', 'new_payee'],
  normalisation: { mean: [0.5, 0.5], scale: [0.5, 0.5] },
  dataSeed: 20261203,
  metrics: { prAuc: 0.93 },
  createdAt: '2026-12-03T08:00:00.000Z',
};

describe('model artifacts', () => {
  it('runs TensorFlow.js on its WebAssembly backend, with nothing downloaded', async () => {
    const tf = await tensorflow();
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('round-trips: the loaded model scores exactly as the saved one, with its metadata', async () => {
    const { model, xs } = await trainedModel();
    const artifact = await saveModelArtifact(model, info);
    const json = JSON.parse(JSON.stringify(artifact));
    const loaded = await loadModelArtifact(json);
    const before = Array.from((model.predict(xs) as { dataSync(): Float32Array }).dataSync());
    const after = Array.from((loaded.model.predict(xs) as { dataSync(): Float32Array }).dataSync());
    assert.deepEqual(after, before);
    assert.deepEqual(loaded.info, info);
    assert.ok(before[3] !== undefined && before[3] > 0.8 && (before[0] ?? 1) < 0.5, 'the model learnt OR');
  });

  it('trains to the same weights from the same seed', async () => {
    const first = await saveModelArtifact((await trainedModel()).model, info);
    const second = await saveModelArtifact((await trainedModel()).model, info);
    assert.equal(second.weights, first.weights);
    assert.equal(second.sha256, first.sha256);
  });

  it('refuses a damaged or edited artifact, and an unknown format', async () => {
    const artifact = await saveModelArtifact((await trainedModel()).model, info);
    await assert.rejects(loadModelArtifact({ ...artifact, metrics: { prAuc: 0.99 } }), InvalidArtifact);
    const weights = Buffer.from(artifact.weights, 'base64');
    weights[0] = (weights[0] ?? 0) ^ 0xff;
    await assert.rejects(loadModelArtifact({ ...artifact, weights: weights.toString('base64') }), /sha256/);
    await assert.rejects(loadModelArtifact({ ...artifact, format: 'nextgen-model/0' }), /unknown artifact format/);
    await assert.rejects(loadModelArtifact('not an object'), InvalidArtifact);
  });

  it('round-trips a drift reference, under the sha256, and refuses a malformed one', async () => {
    const { model } = await trainedModel();
    const drift = {
      features: {
        amount_z: fitDriftBins([0, 0.5, 1, 1.5, 2, 2.5]),
        new_payee: fitDriftBins([0, 0, 1, 0]),
      },
      score: fitDriftBins([0.01, 0.02, 0.5, 0.9]),
    };
    const artifact = await saveModelArtifact(model, { ...info, drift });
    const loaded = await loadModelArtifact(JSON.parse(JSON.stringify(artifact)));
    assert.deepEqual(loaded.info.drift, drift);
    const without = await saveModelArtifact(model, info);
    assert.notEqual(artifact.sha256, without.sha256);
    assert.equal((await loadModelArtifact(without)).info.drift, undefined);
    const edited = { ...drift, score: { edges: [0.4], shares: [0.9, 0.1] } };
    await assert.rejects(loadModelArtifact({ ...artifact, drift: edited }), /sha256/);
    const malformed = { ...drift, score: { edges: [0.4], shares: [1] } };
    await assert.rejects(saveModelArtifact(model, { ...info, drift: malformed }), /drift reference/);
  });

  it('refuses a normalisation that does not cover the features', async () => {
    const { model } = await trainedModel();
    await assert.rejects(
      saveModelArtifact(model, { ...info, normalisation: { mean: [0], scale: [1] } }),
      /every feature once/,
    );
  });
});
