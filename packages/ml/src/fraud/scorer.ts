/**
 * A trained fraud model ready to score in the payment path. TensorFlow.js is used only to check and
 * load the artifact; scoring is a plain JavaScript forward pass over the stored weights (a few
 * thousand multiply-adds), synchronous and allocation-light, so it costs microseconds on the API's
 * event loop instead of a round trip through the WASM backend.
 */
import { type ArtifactInfo, InvalidArtifact, loadModelArtifact, type ModelArtifact } from '../artifact.ts';
import type { DriftReference } from '../drift.ts';
import { describeFeature, featureNames } from '../features/catalogue.ts';
import type { FraudAssessment, Reason } from './assessment.ts';

type Activation = 'relu' | 'sigmoid' | 'linear' | 'tanh';
const activations: readonly string[] = ['relu', 'sigmoid', 'linear', 'tanh'];

/** One dense layer: kernel row-major [inputs × units] (TensorFlow.js' layout), bias [units]. */
export interface DenseLayer {
  readonly inputs: number;
  readonly units: number;
  readonly kernel: Float64Array;
  readonly bias: Float64Array;
  readonly activation: Activation;
  /**
   * Per input, the columns [from, to) outside which its kernel row is zero. A seeded ensemble is
   * stored as one network whose hidden layers after the first are block-diagonal (fraud/train.ts,
   * packMembers): skipping the zero blocks there keeps its cost at the members' sum instead of the
   * square of their number. The first layer is dense (the members side by side) and is not ranged.
   */
  readonly from: Int32Array;
  readonly to: Int32Array;
}

/** The non-zero column range of each kernel row. */
function nonZeroRanges(kernel: Float64Array, inputs: number, units: number): { from: Int32Array; to: Int32Array } {
  const from = new Int32Array(inputs);
  const to = new Int32Array(inputs);
  for (let i = 0; i < inputs; i++) {
    let lo = 0;
    let hi = units;
    while (lo < hi && kernel[i * units + lo] === 0) lo++;
    while (hi > lo && kernel[i * units + hi - 1] === 0) hi--;
    from[i] = lo;
    to[i] = hi;
  }
  return { from, to };
}

/** The metric names under which training stores the fitted thresholds. */
export const thresholdMetric = { fpr1pct: 'threshold_fpr_1pct', fpr01pct: 'threshold_fpr_0_1pct' } as const;

/** Reasons given by default, and at most. */
export const defaultReasons = 3;
export const maxReasons = 10;

/**
 * Features whose occlusion is worked out exactly, at least (twice the reasons asked for, if more):
 * the ones FraudScorer.assess estimates highest. 8 of 39 keep the exhaustive top 3 on nearly every
 * flagged row (test/fraud-model.test.ts measures the agreement; docs/adr/0136).
 */
export const reasonCandidatesMin = 8;

/** The activation's derivative, from its output (relu, sigmoid and tanh can all be written so). */
function slope(activation: Activation, y: number): number {
  if (activation === 'relu') return y > 0 ? 1 : 0;
  if (activation === 'sigmoid') return y * (1 - y);
  if (activation === 'tanh') return 1 - y * y;
  return 1;
}

function activate(activation: Activation, x: number): number {
  if (activation === 'relu') return Math.max(x, 0);
  if (activation === 'sigmoid') return 1 / (1 + Math.exp(-x));
  if (activation === 'tanh') return Math.tanh(x);
  return x;
}

interface LayerConfig {
  class_name?: string;
  config?: { units?: number; activation?: string; use_bias?: boolean };
}

/** The dense layers of a Sequential topology with their weights, or InvalidArtifact. */
export function denseLayers(artifact: ModelArtifact): DenseLayer[] {
  const topology = artifact.topology as { config?: { layers?: LayerConfig[] } } | null;
  const layers = topology?.config?.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new InvalidArtifact('the model is not a Sequential network');
  const bytes = Buffer.from(artifact.weights, 'base64');
  const specs = artifact.weightSpecs as { shape?: number[]; dtype?: string }[];
  let offset = 0;
  let spec = 0;
  const take = (count: number): Float64Array => {
    const s = specs[spec++];
    const size = (s?.shape ?? []).reduce((a, b) => a * b, 1);
    if (s?.dtype !== 'float32' || size !== count || offset + 4 * count > bytes.length) {
      throw new InvalidArtifact('the weights do not match the layers');
    }
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = bytes.readFloatLE(offset + 4 * i);
    offset += 4 * count;
    return values;
  };
  let inputs = artifact.features.length;
  return layers.map((layer) => {
    const units = layer.config?.units;
    const activation = layer.config?.activation ?? 'linear';
    if (layer.class_name !== 'Dense' || !Number.isInteger(units) || !activations.includes(activation)) {
      throw new InvalidArtifact('only dense layers with relu, tanh, sigmoid or linear activations are supported');
    }
    const kernel = take(inputs * (units as number));
    const bias = layer.config?.use_bias === false ? new Float64Array(units as number) : take(units as number);
    const ranges = nonZeroRanges(kernel, inputs, units as number);
    const dense = { inputs, units: units as number, kernel, bias, activation: activation as Activation, ...ranges };
    inputs = units as number;
    return dense;
  });
}

export class FraudScorer {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  /** Score thresholds fitted on validation data: the score at 1 % and at 0.1 % false-positive rate. */
  readonly thresholds: { readonly fpr1pct: number; readonly fpr01pct: number };
  readonly info: ArtifactInfo;
  /**
   * The training rows' distributions, each feature's and the score's, to compare live traffic
   * with (driftReports); undefined for an artifact trained before the reference existed.
   */
  readonly drift: DriftReference | undefined;
  readonly #layers: readonly DenseLayer[];
  readonly #mean: Float64Array;
  readonly #scale: Float64Array;
  /** Scratch buffers, one per layer, reused by every call (scoring is synchronous, so never shared). */
  readonly #buffers: Float64Array[];
  readonly #input: Float64Array;
  readonly #pre: Float64Array;
  readonly #occluded: Float64Array;
  /** Per layer, the gradient of the logit (#firstLayerGradient). */
  readonly #gradients: Float64Array[];
  /** Per feature, the estimate of its occlusion's effect on the logit (assess); and the features by it. */
  readonly #estimates: Float64Array;
  readonly #order: number[];

  private constructor(artifact: ModelArtifact, info: ArtifactInfo, layers: DenseLayer[]) {
    this.name = info.name;
    this.version = info.version;
    this.sha256 = artifact.sha256;
    this.info = info;
    this.drift = info.drift;
    this.#layers = layers;
    this.#mean = Float64Array.from(info.normalisation.mean);
    this.#scale = Float64Array.from(info.normalisation.scale);
    this.#buffers = layers.map((l) => new Float64Array(l.units));
    this.#input = new Float64Array(featureNames.length);
    this.#pre = new Float64Array((layers[0] as DenseLayer).units);
    this.#occluded = new Float64Array((layers[0] as DenseLayer).units);
    this.#gradients = layers.map((l) => new Float64Array(l.units));
    this.#estimates = new Float64Array(featureNames.length);
    this.#order = featureNames.map((_, i) => i);
    const fpr1pct = info.metrics[thresholdMetric.fpr1pct];
    const fpr01pct = info.metrics[thresholdMetric.fpr01pct];
    if (typeof fpr1pct !== 'number' || typeof fpr01pct !== 'number') {
      throw new InvalidArtifact(
        `the artifact has no ${thresholdMetric.fpr1pct} and ${thresholdMetric.fpr01pct} metrics`,
      );
    }
    this.thresholds = Object.freeze({ fpr1pct, fpr01pct });
  }

  /** Checks format and sha256 (loadModelArtifact), the feature list and the layers; throws InvalidArtifact. */
  static async fromArtifact(artifact: unknown): Promise<FraudScorer> {
    const { model, info } = await loadModelArtifact(artifact);
    model.dispose();
    const features = info.features;
    if (features.length !== featureNames.length || features.some((name, i) => name !== featureNames[i])) {
      throw new InvalidArtifact('the artifact was trained on other features than this code computes');
    }
    const layers = denseLayers(artifact as ModelArtifact);
    const last = layers.at(-1);
    if (last?.units !== 1 || last.activation !== 'sigmoid')
      throw new InvalidArtifact('the model must end in one sigmoid unit');
    if (info.normalisation.scale.some((s) => !(s > 0)))
      throw new InvalidArtifact('a normalisation scale is not positive');
    return new FraudScorer(artifact as ModelArtifact, info, layers);
  }

  /** The first layer's pre-activation (kernel · input + bias) of normalised inputs, into `out`. */
  #firstLayer(input: Float64Array, out: Float64Array): Float64Array {
    const { inputs, units, kernel, bias } = this.#layers[0] as DenseLayer;
    for (let j = 0; j < units; j++) out[j] = bias[j] as number;
    for (let i = 0; i < inputs; i++) {
      const xi = input[i] as number;
      if (xi === 0) continue;
      const row = i * units;
      for (let j = 0; j < units; j++) out[j] = (out[j] as number) + xi * (kernel[row + j] as number);
    }
    return out;
  }

  /** The score from the first layer's pre-activation onwards. */
  #fromFirstLayer(pre: Float64Array): number {
    const first = this.#layers[0] as DenseLayer;
    let x = this.#buffers[0] as Float64Array;
    for (let j = 0; j < first.units; j++) x[j] = activate(first.activation, pre[j] as number);
    for (let l = 1; l < this.#layers.length; l++) {
      const { inputs, units, kernel, bias, activation, from, to } = this.#layers[l] as DenseLayer;
      const y = this.#buffers[l] as Float64Array;
      for (let j = 0; j < units; j++) y[j] = bias[j] as number;
      for (let i = 0; i < inputs; i++) {
        const xi = x[i] as number;
        if (xi === 0) continue;
        const row = i * units;
        for (let j = from[i] as number, end = to[i] as number; j < end; j++) {
          y[j] = (y[j] as number) + xi * (kernel[row + j] as number);
        }
      }
      for (let j = 0; j < units; j++) y[j] = activate(activation, y[j] as number);
      x = y;
    }
    return x[0] as number;
  }

  /**
   * The gradient of the output's logit (its pre-activation) with respect to the first hidden
   * layer's outputs, by back-propagation through the activations the last #fromFirstLayer left in
   * #buffers. Costs about one forward pass above the first layer, and skips the zero blocks of a
   * packed ensemble as the forward pass does.
   */
  #firstLayerGradient(): Float64Array {
    const layers = this.#layers;
    let g = this.#gradients[layers.length - 1] as Float64Array;
    g[0] = 1;
    for (let l = layers.length - 1; l >= 1; l--) {
      const { inputs, units, kernel, from, to } = layers[l] as DenseLayer;
      const below = (layers[l - 1] as DenseLayer).activation;
      const y = this.#buffers[l - 1] as Float64Array;
      const gBelow = this.#gradients[l - 1] as Float64Array;
      for (let i = 0; i < inputs; i++) {
        const row = i * units;
        let sum = 0;
        for (let j = from[i] as number, end = to[i] as number; j < end; j++) {
          sum += (kernel[row + j] as number) * (g[j] as number);
        }
        // The first layer's gradient stays with respect to its outputs (the estimate in assess needs that).
        gBelow[i] = l === 1 ? sum : sum * slope(below, y[i] as number);
      }
      g = gBelow;
    }
    return g;
  }

  #normalise(values: Float64Array): Float64Array {
    if (values.length !== featureNames.length) {
      throw new RangeError(`expected ${featureNames.length} feature values, got ${values.length}`);
    }
    const input = this.#input;
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as number;
      // A NaN would score NaN, which no threshold comparison flags: refuse it (fail closed).
      if (!Number.isFinite(value)) throw new RangeError(`feature ${featureNames[i]} is not a finite number`);
      input[i] = (value - (this.#mean[i] as number)) / (this.#scale[i] as number);
    }
    return input;
  }

  /** The fraud score of the feature values (featureVector's order), in [0, 1]. */
  score(values: Float64Array): number {
    return this.#fromFirstLayer(this.#firstLayer(this.#normalise(values), this.#pre));
  }

  /**
   * The score and the features that pushed it up most. A feature's contribution is how much the
   * score falls when that feature alone is set to its training mean (occlusion): model-agnostic,
   * exact for what the network does. Setting one normalised input to 0 changes the first layer's
   * pre-activation by one kernel row, so each occlusion costs a row and the small
   * layers above, not a whole forward pass.
   *
   * Occluding all 39 features was most of the scoring's cost, and three times that for a model of
   * three members. So each occlusion is first estimated: exactly through the first layer, linearised
   * above it with the logit's gradient (one back-propagation); a plain input × gradient ranking
   * missed too often (docs/adr/0136). Only the `candidates` estimated highest are occluded exactly
   * (at least reasonCandidatesMin, twice the reasons wanted if more; `Infinity` occludes every
   * feature). The contributions given are always exact occlusions.
   */
  assess(
    values: Float64Array,
    topReasons = defaultReasons,
    candidates = Math.max(reasonCandidatesMin, 2 * topReasons),
  ): FraudAssessment {
    const input = this.#normalise(values);
    const pre = this.#firstLayer(input, this.#pre);
    const score = this.#fromFirstLayer(pre);
    const occluded = this.#occluded;
    const { units, kernel } = this.#layers[0] as DenseLayer;
    const wanted = Math.max(0, Math.min(maxReasons, Math.floor(topReasons)));
    if (wanted === 0) return { score, reasons: [] };
    const order = this.#order;
    if (candidates < input.length) {
      // Each feature's occlusion through the first layer exactly, linearised above it.
      const gradient = this.#firstLayerGradient();
      const hidden = this.#buffers[0] as Float64Array;
      const { activation } = this.#layers[0] as DenseLayer;
      const estimates = this.#estimates;
      for (let i = 0; i < input.length; i++) {
        const xi = input[i] as number;
        const row = i * units;
        let estimate = 0;
        if (xi !== 0) {
          for (let j = 0; j < units; j++) {
            const moved = activate(activation, (pre[j] as number) - xi * (kernel[row + j] as number));
            estimate += (gradient[j] as number) * ((hidden[j] as number) - moved);
          }
        }
        estimates[i] = estimate;
      }
      order.sort((a, b) => (estimates[b] as number) - (estimates[a] as number));
    } else {
      for (let i = 0; i < input.length; i++) order[i] = i;
    }
    const reasons: Reason[] = [];
    for (let k = 0, end = Math.min(input.length, candidates); k < end; k++) {
      const i = order[k] as number;
      const xi = input[i] as number;
      if (xi === 0) continue;
      const row = i * units;
      for (let j = 0; j < units; j++) occluded[j] = (pre[j] as number) - xi * (kernel[row + j] as number);
      const contribution = score - this.#fromFirstLayer(occluded);
      if (contribution > 0) {
        const feature = featureNames[i] as string;
        reasons.push({ feature, description: describeFeature(feature), contribution });
      }
    }
    reasons.sort((a, b) => b.contribution - a.contribution);
    return { score, reasons: reasons.slice(0, wanted) };
  }
}
