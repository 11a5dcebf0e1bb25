/**
 * Training of the categoriser: hashed text features → 32 ReLU units → one logit per category,
 * softmax cross-entropy, Adam, a fixed seed for the initial weights and our own seeded shuffle
 * (TensorFlow's is off), so the same examples give the same weights. The last layer is linear and
 * the softmax is applied outside the network, so the artifact holds only dense layers the pure-JS
 * forward pass (and the fraud model's loader) already knows.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { type ArtifactInfo, type ModelArtifact, saveModelArtifact } from '../artifact.ts';
import { Random } from '../synthetic/random.ts';
import { tensorflow } from '../tensorflow.ts';
import { type Category, categories } from './categories.ts';
import { type CategoriserInfo, categoriserName, categoriserVersion } from './categoriser.ts';
import { textHashBuckets, textNgramLengths } from './constants.ts';
import type { LabelledText } from './dataset.ts';
import { type CorrectedText, withCorrections } from './labels.ts';
import { textFeatures } from './text.ts';

export interface CategoriserTrainingOptions {
  readonly seed: number;
  readonly epochs: number;
  readonly hiddenUnits: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

export const defaultCategoriserTraining: CategoriserTrainingOptions = {
  seed: 1,
  epochs: 6,
  hiddenUnits: 32,
  batchSize: 128,
  learningRate: 0.005,
};

export interface CategoriserTrainingReport {
  readonly artifact: ModelArtifact;
  readonly log: readonly string[];
}

/** The feature matrix (rows × buckets, float32) of labelled texts. */
export function featureMatrix(
  examples: readonly { input: LabelledText['input'] }[],
  order?: readonly number[],
): Float32Array {
  const out = new Float32Array(examples.length * textHashBuckets);
  const row = new Float64Array(textHashBuckets);
  for (let k = 0; k < examples.length; k++) {
    const e = examples[order ? (order[k] as number) : k] as LabelledText;
    out.set(textFeatures(e.input, textHashBuckets, row), k * textHashBuckets);
  }
  return out;
}

async function buildModel(options: CategoriserTrainingOptions): Promise<LayersModel> {
  const tf = await tensorflow();
  const model = tf.sequential({
    name: categoriserName,
    layers: [
      tf.layers.dense({
        name: 'hidden1',
        units: options.hiddenUnits,
        activation: 'relu',
        inputShape: [textHashBuckets],
        kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed }),
      }),
      tf.layers.dense({
        name: 'logits',
        units: categories.length,
        activation: 'linear',
        kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + 1 }),
      }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(options.learningRate),
    loss: (yTrue: Tensor, yPred: Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  return model;
}

/**
 * Accuracy over all texts and per true category (`accuracy_<category>`, for categories present),
 * with the example counts (`examples`, `examples_<category>`).
 */
export function accuracyMetrics(labels: readonly Category[], predicted: readonly Category[]): Record<string, number> {
  const metrics: Record<string, number> = { examples: labels.length, accuracy: 0 };
  let right = 0;
  for (const category of categories) {
    let n = 0;
    let hit = 0;
    for (const [i, label] of labels.entries()) {
      if (label !== category) continue;
      n++;
      if (predicted[i] === label) hit++;
    }
    right += hit;
    if (n > 0) {
      metrics[`examples_${category}`] = n;
      metrics[`accuracy_${category}`] = hit / n;
    }
  }
  metrics.accuracy = labels.length === 0 ? 0 : right / labels.length;
  return metrics;
}

/**
 * Trains on labelled texts and scores the trained network on `heldOut` (texts of another seed,
 * varied with another seed); those numbers are the artifact's metrics, prefixed `heldout_`.
 * Customers' corrections (`./ng backoffice category-labels`) join the training texts only
 * (withCorrections); the metrics say how many (`corrected_*`).
 */
export async function trainCategoriser(
  generated: readonly LabelledText[],
  generatedHeldOut: readonly LabelledText[],
  options: CategoriserTrainingOptions,
  about: Pick<ArtifactInfo, 'dataSeed' | 'createdAt'> & {
    variationSeed: number;
    heldOutSeed: number;
    /** Trained off the committed recipe (another seed or epochs, corrections): saveModelArtifact's `variant`. */
    readonly variant?: boolean;
  },
  corrections: readonly CorrectedText[] = [],
): Promise<CategoriserTrainingReport> {
  const { examples, heldOut, metrics: correctedMetrics } = withCorrections(generated, generatedHeldOut, corrections);
  if (examples.length === 0) throw new RangeError('no examples to train the categoriser on');
  const tf = await tensorflow();
  const model = await buildModel(options);
  const rng = new Random(options.seed);
  const log: string[] = [];
  const labelIndex = new Map<Category, number>(categories.map((c, i) => [c, i]));
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = rng.shuffle(Array.from({ length: examples.length }, (_, i) => i));
    const ys = new Float32Array(examples.length * categories.length);
    for (const [k, i] of order.entries())
      ys[k * categories.length + (labelIndex.get((examples[i] as LabelledText).label) as number)] = 1;
    const x = tf.tensor2d(featureMatrix(examples, order), [examples.length, textHashBuckets]);
    const y = tf.tensor2d(ys, [examples.length, categories.length]);
    const history = await model.fit(x, y, { epochs: 1, batchSize: options.batchSize, shuffle: false, verbose: 0 });
    tf.dispose([x, y]);
    log.push(`epoch ${epoch}: loss ${Number(history.history.loss?.[0]).toFixed(5)}`);
  }
  const metrics: Record<string, number> = {
    train_examples: examples.length,
    heldout_seed: about.heldOutSeed,
    ...correctedMetrics,
  };
  if (heldOut.length > 0) {
    const p = await tensorflowProbabilities(model, heldOut);
    const predicted = heldOut.map(
      (_, k) => categories[argmax(p, k * categories.length, categories.length)] as Category,
    );
    for (const [name, value] of Object.entries(
      accuracyMetrics(
        heldOut.map((e) => e.label),
        predicted,
      ),
    )) {
      metrics[`heldout_${name}`] = value;
    }
  }
  const info: CategoriserInfo = {
    name: categoriserName,
    version: categoriserVersion,
    features: Array.from({ length: textHashBuckets }, (_, i) => `hash_${i}`),
    // The features are already scaled (unit length): identity, so the fraud loader's shape holds.
    normalisation: { mean: Array(textHashBuckets).fill(0), scale: Array(textHashBuckets).fill(1) },
    dataSeed: about.dataSeed,
    metrics,
    createdAt: about.createdAt,
    labels: categories,
    text: { buckets: textHashBuckets, ngrams: textNgramLengths },
    variationSeed: about.variationSeed,
  };
  const artifact = await saveModelArtifact(model, info, { variant: about.variant });
  model.dispose();
  return { artifact, log };
}

/** TensorFlow.js' probabilities for labelled texts (for the test that the JS forward pass matches). */
export async function tensorflowProbabilities(
  model: LayersModel,
  examples: readonly { input: LabelledText['input'] }[],
): Promise<Float32Array> {
  const tf = await tensorflow();
  return tf.tidy(() => {
    const x = tf.tensor2d(featureMatrix(examples), [examples.length, textHashBuckets]);
    return tf.softmax(model.predict(x) as Tensor).dataSync() as Float32Array;
  });
}

function argmax(values: Float32Array, from: number, count: number): number {
  let best = 0;
  for (let j = 1; j < count; j++) if ((values[from + j] as number) > (values[from + best] as number)) best = j;
  return best;
}
