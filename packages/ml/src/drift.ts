/**
 * Drift: how far the live distribution of a feature (or of the score) has moved from the one the
 * model was trained on, as the population stability index (PSI). A reference is fitted on the
 * training data (bin edges at its deciles, and the share of rows in each bin); a sample of live
 * values is binned on the same edges and compared. The conventional reading: below 0.1 stable,
 * 0.1–0.25 worth watching, above 0.25 the model is scoring a population it was not trained on.
 */
import { driftBins, driftEmptyShare, driftMinSample } from './constants.ts';

/** One variable's training distribution: `edges` split the line into `shares.length` bins. */
export interface DriftBins {
  /** Ascending and distinct; bin i holds values in [edges[i-1], edges[i]), the first and last are open. */
  readonly edges: readonly number[];
  /** Share of the training rows in each bin; sums to 1. */
  readonly shares: readonly number[];
}

/** The training distributions a model artifact carries: each feature by name, and the score. */
export interface DriftReference {
  readonly features: Readonly<Record<string, DriftBins>>;
  readonly score: DriftBins;
}

export interface DriftReport {
  readonly name: string;
  readonly psi: number;
  readonly sample: number;
}

/** Position of `value` among the edges: the number of edges at or below it. */
function binOf(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((edges[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function sharesOf(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const bin = binOf(edges, values[i] as number);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts.map((count) => count / values.length);
}

/**
 * Bins at the training values' quantiles. A feature with few distinct values (a flag, a small
 * count) gets one bin per value instead, since deciles of a 0/1 flag would all fall on 0 and 1.
 * Throws on an empty or non-finite input: a reference of nothing is a programmer error.
 */
export function fitDriftBins(values: ArrayLike<number>, bins = driftBins): DriftBins {
  if (values.length === 0) throw new RangeError('a drift reference needs at least one value');
  const sorted = Float64Array.from(values).sort();
  if (!Number.isFinite(sorted[0] as number) || !Number.isFinite(sorted[sorted.length - 1] as number)) {
    throw new RangeError('drift values must be finite numbers');
  }
  const edges: number[] = [];
  for (let q = 1; q < bins; q++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / bins))] as number;
    // An edge at the minimum would leave its bin empty in training; equal edges merge.
    if (edge > (sorted[0] as number) && edge !== edges[edges.length - 1]) edges.push(edge);
  }
  return { edges, shares: sharesOf(edges, sorted) };
}

/**
 * PSI = Σ (actual − expected) · ln(actual / expected) over the bins. An empty bin on either side
 * is counted as `driftEmptyShare` so the logarithm stays finite (the usual correction).
 */
export function populationStabilityIndex(reference: DriftBins, values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('a drift sample needs at least one value');
  const actual = sharesOf(reference.edges, values);
  let psi = 0;
  for (const [i, expectedShare] of reference.shares.entries()) {
    const expected = Math.max(expectedShare, driftEmptyShare);
    const observed = Math.max(actual[i] as number, driftEmptyShare);
    psi += (observed - expected) * Math.log(observed / expected);
  }
  return psi;
}

/** The reference of a model: every feature's bins and the score's, from the training rows. */
export function fitDriftReference(
  featureNames: readonly string[],
  rows: readonly Float64Array[],
  scores: ArrayLike<number>,
): DriftReference {
  const features: Record<string, DriftBins> = {};
  for (const [i, name] of featureNames.entries()) {
    features[name] = fitDriftBins(rows.map((row) => row[i] as number));
  }
  return { features, score: fitDriftBins(scores) };
}

/**
 * PSI of the score and of every feature the reference knows, for a live sample of feature rows
 * (in `featureNames` order) and their scores, worst first. A sample under `driftMinSample` rows
 * says nothing reliable and answers no reports.
 */
export function driftReports(
  reference: DriftReference,
  featureNames: readonly string[],
  rows: readonly ArrayLike<number>[],
  scores: ArrayLike<number>,
): DriftReport[] {
  if (rows.length < driftMinSample || scores.length < driftMinSample) return [];
  const reports: DriftReport[] = [
    { name: 'score', psi: populationStabilityIndex(reference.score, scores), sample: scores.length },
  ];
  for (const [i, name] of featureNames.entries()) {
    const bins = reference.features[name];
    if (!bins) continue;
    const values = rows.map((row) => row[i] as number);
    reports.push({ name, psi: populationStabilityIndex(bins, values), sample: values.length });
  }
  return reports.sort((a, b) => b.psi - a.psi);
}
