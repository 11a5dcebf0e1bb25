/**
 * The evaluation the issue asks for: PR-AUC and recall at 0.1 % and 1 % false positives, for the
 * model and for the rules on the same rows, and what the model's own thresholds (fitted on its
 * validation period) catch per scenario.
 */
import { featureNames } from '../features/catalogue.ts';
import { scenarios } from '../interchange/format.ts';
import type { LabelledSet } from './dataset.ts';
import { type DetectionMetrics, detectionMetrics } from './metrics.ts';
import type { FraudScorer } from './scorer.ts';
import { rulesScores } from './train.ts';

export interface ScenarioRecall {
  readonly scenario: string;
  readonly rows: number;
  /** Share of the scenario's rows at or above the model's threshold fitted at 0.1 % / 1 % FPR. */
  readonly recallAt01pct: number;
  readonly recallAt1pct: number;
}

export interface Evaluation {
  readonly model: DetectionMetrics;
  readonly rules: DetectionMetrics;
  /** False-positive rate of the legitimate rows at the model's stored thresholds. */
  readonly fprAtThreshold01pct: number;
  readonly fprAtThreshold1pct: number;
  readonly byScenario: readonly ScenarioRecall[];
}

export function modelScores(scorer: FraudScorer, set: LabelledSet): Float64Array {
  const width = featureNames.length;
  const scores = new Float64Array(set.rows);
  const row = new Float64Array(width);
  for (let r = 0; r < set.rows; r++) {
    for (let i = 0; i < width; i++) row[i] = set.values[r * width + i] as number;
    scores[r] = scorer.score(row);
  }
  return scores;
}

export function evaluateScorer(scorer: FraudScorer, set: LabelledSet): Evaluation {
  const scores = modelScores(scorer, set);
  const labels = Array.from(set.labels, (l) => l === 1);
  const { fpr01pct, fpr1pct } = scorer.thresholds;
  let negatives = 0;
  let over01 = 0;
  let over1 = 0;
  for (let r = 0; r < set.rows; r++) {
    if (labels[r]) continue;
    negatives++;
    if ((scores[r] as number) >= fpr01pct) over01++;
    if ((scores[r] as number) >= fpr1pct) over1++;
  }
  const byScenario = scenarios.map((scenario) => {
    let rows = 0;
    let at01 = 0;
    let at1 = 0;
    for (let r = 0; r < set.rows; r++) {
      if (set.scenarios[r] !== scenario) continue;
      rows++;
      if ((scores[r] as number) >= fpr01pct) at01++;
      if ((scores[r] as number) >= fpr1pct) at1++;
    }
    return { scenario, rows, recallAt01pct: rows ? at01 / rows : 0, recallAt1pct: rows ? at1 / rows : 0 };
  });
  return {
    model: detectionMetrics(scores, labels),
    rules: detectionMetrics(rulesScores(set), labels),
    fprAtThreshold01pct: negatives ? over01 / negatives : 0,
    fprAtThreshold1pct: negatives ? over1 / negatives : 0,
    byScenario,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const pct2 = (x: number): string => `${(100 * x).toFixed(2)} %`;

/** A Markdown table, each column as wide as its widest cell. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The evaluation as plain-text (Markdown) tables, as pasted into bench/RESULTS.md. */
export function describeEvaluation(e: Evaluation): string[] {
  const metrics = (name: string, m: DetectionMetrics) => [
    name,
    m.prAuc.toFixed(3),
    pct(m.recallAtFpr01pct),
    pct(m.recallAtFpr1pct),
  ];
  return [
    `rows: ${e.model.rows}, fraud rows: ${e.model.fraudRows}`,
    ...table(
      ['score', 'PR-AUC', 'recall at 0.1 % FPR', 'recall at 1 % FPR'],
      [metrics('model', e.model), metrics('rules', e.rules)],
    ),
    '',
    `At the model's stored thresholds ${pct2(e.fprAtThreshold01pct)} and ${pct2(e.fprAtThreshold1pct)} of legitimate rows are alerted; fraud rows caught:`,
    ...table(
      ['scenario', 'rows', 'at the 0.1 % threshold', 'at the 1 % threshold'],
      e.byScenario.map((s) => [s.scenario, String(s.rows), pct(s.recallAt01pct), pct(s.recallAt1pct)]),
    ),
  ];
}
