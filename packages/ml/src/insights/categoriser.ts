/**
 * Categorising a booking: the customer's own correction first, then a detected subscription, then
 * the merchant category code, then the text model. The model is served like the fraud model: the
 * artifact is checked and loaded with TensorFlow.js once, and predictions are a plain JavaScript
 * forward pass over the stored weights (hashed features → dense ReLU → dense logits → softmax).
 */
import { type ArtifactInfo, InvalidArtifact, loadModelArtifact, type ModelArtifact } from '../artifact.ts';
import { type DenseLayer, denseLayers } from '../fraud/scorer.ts';
import type { Transaction } from '../interchange/format.ts';
import { type Category, isCategory, mccCategory } from './categories.ts';
import { type TextInput, textFeatures } from './text.ts';

export const categoriserName = 'categoriser';
/** Bumped when the features, the labels or the training change meaning. */
export const categoriserVersion = '1.0.0';

/** What a categoriser artifact holds beyond a model artifact (all of it under the sha256). */
export interface CategoriserInfo extends ArtifactInfo {
  /** The output units' categories, in order. */
  readonly labels: readonly Category[];
  readonly text: { readonly buckets: number; readonly ngrams: readonly number[] };
  /** The seed of the description variations the model was trained on. */
  readonly variationSeed: number;
}

/** Where a category came from, so the app can say "you set this" or "we guessed". */
export type CategorySource = 'override' | 'subscription' | 'mcc' | 'model';

export interface Categorisation {
  readonly category: Category;
  readonly source: CategorySource;
  /** 1 for a correction, a subscription or an MCC; the model's probability otherwise. */
  readonly confidence: number;
}

/** The key a customer's correction is stored under: the counterparty, the format's stable id of the other side. */
export function merchantKey(row: Pick<Transaction, 'counterparty'>): string {
  return row.counterparty;
}

export class Categoriser {
  readonly version: string;
  readonly sha256: string;
  readonly labels: readonly Category[];
  readonly info: CategoriserInfo;
  readonly #layers: readonly DenseLayer[];
  readonly #buckets: number;
  readonly #input: Float64Array;
  readonly #buffers: Float64Array[];

  private constructor(artifact: ModelArtifact, info: CategoriserInfo, layers: DenseLayer[]) {
    this.version = info.version;
    this.sha256 = artifact.sha256;
    this.labels = info.labels;
    this.info = info;
    this.#layers = layers;
    this.#buckets = info.text.buckets;
    this.#input = new Float64Array(info.text.buckets);
    this.#buffers = layers.map((l) => new Float64Array(l.units));
  }

  /** Checks format and sha256, the labels and the layers; throws InvalidArtifact. */
  static async fromArtifact(artifact: unknown): Promise<Categoriser> {
    const { model, info } = await loadModelArtifact(artifact);
    model.dispose();
    const c = info as CategoriserInfo;
    if (info.name !== categoriserName)
      throw new InvalidArtifact(`the artifact is a ${info.name} model, not a categoriser`);
    if (!Array.isArray(c.labels) || c.labels.length < 2 || !c.labels.every(isCategory)) {
      throw new InvalidArtifact('the artifact must list its categories (labels)');
    }
    if (!Number.isInteger(c.text?.buckets) || c.text.buckets !== info.features.length) {
      throw new InvalidArtifact('the artifact must name one feature per hash bucket');
    }
    const layers = denseLayers(artifact as ModelArtifact);
    const last = layers.at(-1);
    if (last?.units !== c.labels.length || last.activation !== 'linear') {
      throw new InvalidArtifact('the model must end in one linear unit (a logit) per category');
    }
    if (layers.slice(0, -1).some((l) => l.activation !== 'relu')) {
      throw new InvalidArtifact('the hidden layers of a categoriser must be ReLU layers');
    }
    return new Categoriser(artifact as ModelArtifact, c, layers);
  }

  /** The probability of each category of `labels`, in order (softmax of the logits). */
  probabilities(input: TextInput): Float64Array {
    let x = textFeatures(input, this.#buckets, this.#input);
    for (const [l, layer] of this.#layers.entries()) {
      const { inputs, units, kernel, bias, activation } = layer;
      const y = this.#buffers[l] as Float64Array;
      y.set(bias);
      for (let i = 0; i < inputs; i++) {
        const xi = x[i] as number;
        if (xi === 0) continue;
        const row = i * units;
        for (let j = 0; j < units; j++) y[j] = (y[j] as number) + xi * (kernel[row + j] as number);
      }
      if (activation === 'relu') for (let j = 0; j < units; j++) y[j] = Math.max(0, y[j] as number);
      x = y;
    }
    const out = new Float64Array(x.length);
    let top = Number.NEGATIVE_INFINITY;
    for (const v of x) top = Math.max(top, v);
    let sum = 0;
    for (let j = 0; j < x.length; j++) {
      out[j] = Math.exp((x[j] as number) - top);
      sum += out[j] as number;
    }
    for (let j = 0; j < out.length; j++) out[j] = (out[j] as number) / sum;
    return out;
  }

  /** The most probable category of a text and its probability. */
  predict(input: TextInput): { category: Category; confidence: number } {
    const p = this.probabilities(input);
    let best = 0;
    for (let j = 1; j < p.length; j++) if ((p[j] as number) > (p[best] as number)) best = j;
    return { category: this.labels[best] as Category, confidence: p[best] as number };
  }
}

export interface CategoriseOptions {
  readonly model: Categoriser;
  /** The customer's corrections: merchant key (merchantKey) → category. They win over everything. */
  readonly overrides?: ReadonlyMap<string, Category>;
  /** Merchant keys of the account's detected card subscriptions (subscriptionKeys of detectRecurring). */
  readonly subscriptions?: ReadonlySet<string>;
}

/** The category of one booking: correction, subscription, MCC, then the text model. */
export function categorise(
  row: Pick<Transaction, 'counterparty' | 'mcc' | 'description' | 'channel' | 'amountMinor'>,
  options: CategoriseOptions,
): Categorisation {
  const key = merchantKey(row);
  const corrected = options.overrides?.get(key);
  if (corrected !== undefined) return { category: corrected, source: 'override', confidence: 1 };
  const moneyIn = !row.amountMinor.startsWith('-');
  // Money coming back on a card (a refund) keeps the shop's category; only the text model reads direction.
  const byCode = mccCategory(row.mcc);
  const found: Categorisation =
    byCode !== undefined
      ? { category: byCode, source: 'mcc', confidence: 1 }
      : { ...options.model.predict({ description: row.description, channel: row.channel, moneyIn }), source: 'model' };
  // A recurring card payment is a subscription, unless it is a bill: rent, energy, a phone plan and
  // insurance recur too (where they are paid by card, or booked like a card payment).
  if (!moneyIn && options.subscriptions?.has(key) && !recurringButNotSubscriptions.has(found.category))
    return { category: 'subscriptions', source: 'subscription', confidence: 1 };
  return found;
}

/** Categories a detected recurring payment keeps instead of becoming `subscriptions`. */
const recurringButNotSubscriptions: ReadonlySet<Category> = new Set([
  'rent_housing',
  'bills_utilities',
  'income',
  'transfers',
  'cash',
]);
