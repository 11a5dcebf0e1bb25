/**
 * Analysts' reviews as training labels (docs/ml/fraud-labels.md): the API exports one JSON line
 * per reviewed decision (`./ng backoffice fraud-labels`) with the feature values the model saw;
 * `./ng ml train --labels FILE` adds them to the training period. The rows carry no customer,
 * amount or payee: the features are the model's inputs, nothing that names anyone.
 */
import { featureNames } from '../features/catalogue.ts';
import { InterchangeError } from '../interchange/check.ts';
import { strictLinesOf } from '../interchange/reader.ts';
import type { LabelledSet } from './dataset.ts';

export const fraudLabelsFormat = 'nextgen-fraud-labels/1';

export interface ReviewedLabels {
  readonly set: LabelledSet;
  /** Lines read. */
  readonly read: number;
  /** Labels of decisions made with fewer features than this model has (an older model's): left out. */
  readonly skipped: number;
}

interface LabelLine {
  readonly format?: unknown;
  readonly decisionId?: unknown;
  readonly labelledAt?: unknown;
  readonly label?: unknown;
  readonly features?: unknown;
}

/** One line's feature values in this model's order, or null when the line lacks a feature. */
function parseLine(text: string, line: number): { values: number[] | null; label: 0 | 1; timeMs: number } {
  let parsed: LabelLine;
  try {
    parsed = JSON.parse(text) as LabelLine;
  } catch {
    throw new InterchangeError(line, null, 'is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InterchangeError(line, null, 'is not a JSON object');
  if (parsed.format !== fraudLabelsFormat)
    throw new InterchangeError(line, 'format', `must be ${JSON.stringify(fraudLabelsFormat)}`);
  if (typeof parsed.decisionId !== 'string' || parsed.decisionId.length === 0)
    throw new InterchangeError(line, 'decisionId', 'must be a non-empty string');
  if (parsed.label !== 'fraud' && parsed.label !== 'legitimate')
    throw new InterchangeError(line, 'label', 'must be "fraud" or "legitimate"');
  const timeMs = typeof parsed.labelledAt === 'string' ? Date.parse(parsed.labelledAt) : Number.NaN;
  if (Number.isNaN(timeMs)) throw new InterchangeError(line, 'labelledAt', 'must be an ISO 8601 time');
  const features = parsed.features as Record<string, unknown> | null | undefined;
  if (features === null || typeof features !== 'object' || Array.isArray(features))
    throw new InterchangeError(line, 'features', 'must be an object of feature values');
  for (const [name, value] of Object.entries(features)) {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new InterchangeError(line, `features.${name}`, 'must be a finite number');
  }
  const values = featureNames.every((name) => name in features)
    ? featureNames.map((name) => features[name] as number)
    : null;
  return { values, label: parsed.label === 'fraud' ? 1 : 0, timeMs };
}

/**
 * Reads a labels file, strictly: a malformed line is an InterchangeError naming the line and the
 * field. Labels of decisions that lack one of this model's features are counted as skipped.
 */
export async function readFraudLabels(file: string): Promise<ReviewedLabels> {
  const values: number[] = [];
  const labels: number[] = [];
  const times: number[] = [];
  let read = 0;
  let skipped = 0;
  for await (const { text, line } of strictLinesOf(file)) {
    read = line;
    const row = parseLine(text, line);
    if (row.values === null) {
      skipped += 1;
      continue;
    }
    values.push(...row.values);
    labels.push(row.label);
    times.push(row.timeMs);
  }
  const rows = labels.length;
  return {
    set: {
      values: Float32Array.from(values),
      labels: Uint8Array.from(labels),
      timesMs: Float64Array.from(times),
      scenarios: labels.map(() => null),
      rows,
    },
    read,
    skipped,
  };
}
