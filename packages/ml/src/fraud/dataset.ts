/**
 * Labelled feature rows for training and evaluation: interchange rows run through the feature
 * extractor in time order (so every row sees only its past), kept as one flat Float32Array.
 */
import { featureNames } from '../features/catalogue.ts';
import { extractSnapshot, FeatureState } from '../features/extractor.ts';
import { featureVector } from '../features/snapshot.ts';
import { parseTime } from '../interchange/check.ts';
import type { Scenario, Transaction } from '../interchange/format.ts';

export interface LabelledSet {
  /** rows × featureNames.length, row-major. */
  readonly values: Float32Array;
  readonly labels: Uint8Array;
  readonly timesMs: Float64Array;
  /** The scenario of each fraud row, null for legitimate ones. */
  readonly scenarios: readonly (Scenario | null)[];
  readonly rows: number;
}

/** A labelled row without a label (real data nobody reviewed) cannot train or test a model. */
export class UnlabelledRow extends Error {
  override readonly name = 'UnlabelledRow';
}

/** Features and labels of `rows`, read once, in order. Throws UnlabelledRow for a row with no `label` field. */
export async function labelledSet(rows: AsyncIterable<Transaction> | Iterable<Transaction>): Promise<LabelledSet> {
  const width = featureNames.length;
  let values = new Float32Array(width * 65_536);
  const labels: number[] = [];
  const times: number[] = [];
  const scenarios: (Scenario | null)[] = [];
  const state = new FeatureState();
  for await (const row of rows) {
    if (row.label === undefined)
      throw new UnlabelledRow(`row ${row.id} has no label: training and evaluation need labelled rows`);
    const n = labels.length;
    if ((n + 1) * width > values.length) {
      const grown = new Float32Array(values.length * 2);
      grown.set(values);
      values = grown;
    }
    values.set(featureVector(extractSnapshot(row, state)), n * width);
    labels.push(row.label ? 1 : 0);
    times.push(parseTime(row.time));
    scenarios.push(row.label?.scenario ?? null);
  }
  return {
    values: values.slice(0, labels.length * width),
    labels: Uint8Array.from(labels),
    timesMs: Float64Array.from(times),
    scenarios,
    rows: labels.length,
  };
}

/** The rows whose indices are given, as a set of their own. */
export function subset(set: LabelledSet, indices: readonly number[]): LabelledSet {
  const width = featureNames.length;
  const values = new Float32Array(indices.length * width);
  for (const [k, i] of indices.entries()) values.set(set.values.subarray(i * width, (i + 1) * width), k * width);
  return {
    values,
    labels: Uint8Array.from(indices, (i) => set.labels[i] as number),
    timesMs: Float64Array.from(indices, (i) => set.timesMs[i] as number),
    scenarios: indices.map((i) => set.scenarios[i] ?? null),
    rows: indices.length,
  };
}

/** Both sets' rows, `a`'s first (e.g. the training period and the analysts' reviewed labels). */
export function concatSets(a: LabelledSet, b: LabelledSet): LabelledSet {
  const values = new Float32Array(a.values.length + b.values.length);
  values.set(a.values);
  values.set(b.values, a.values.length);
  const labels = new Uint8Array(a.rows + b.rows);
  labels.set(a.labels);
  labels.set(b.labels, a.rows);
  const timesMs = new Float64Array(a.rows + b.rows);
  timesMs.set(a.timesMs);
  timesMs.set(b.timesMs, a.rows);
  return { values, labels, timesMs, scenarios: [...a.scenarios, ...b.scenarios], rows: a.rows + b.rows };
}

export interface TimeSplit {
  readonly train: LabelledSet;
  readonly validation: LabelledSet;
  readonly test: LabelledSet;
  /** Where validation and test begin. */
  readonly validationFromMs: number;
  readonly testFromMs: number;
}

/**
 * Split by time, never at random: a model is trained on the past and judged on what came after,
 * as it will be used. `validationShare` and `testShare` are shares of the time span.
 */
export function splitByTime(set: LabelledSet, validationShare: number, testShare: number): TimeSplit {
  if (set.rows === 0) throw new RangeError('no rows to split');
  const first = set.timesMs[0] as number;
  const span = (set.timesMs[set.rows - 1] as number) - first;
  const validationFromMs = first + span * (1 - validationShare - testShare);
  const testFromMs = first + span * (1 - testShare);
  const parts: [number[], number[], number[]] = [[], [], []];
  for (let i = 0; i < set.rows; i++) {
    const t = set.timesMs[i] as number;
    parts[t < validationFromMs ? 0 : t < testFromMs ? 1 : 2].push(i);
  }
  return {
    train: subset(set, parts[0]),
    validation: subset(set, parts[1]),
    test: subset(set, parts[2]),
    validationFromMs,
    testFromMs,
  };
}
