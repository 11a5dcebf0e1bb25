/**
 * Ranking metrics of a fraud score against labels, pure. Tied scores are one threshold: a
 * detector cannot alert on half of the rows that share a score, so ties are never broken in its
 * favour (the rules give few distinct scores, which matters for them).
 */

/** Row counts above a threshold: the confusion matrix of "alert when score ≥ threshold". */
interface Cut {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
}

/** Every distinct threshold, highest first, with what alerting at it catches. */
function cuts(
  scores: ArrayLike<number>,
  labels: ArrayLike<boolean>,
): { cuts: Cut[]; positives: number; negatives: number } {
  if (scores.length !== labels.length) throw new RangeError('scores and labels differ in length');
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  const result: Cut[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (Number.isNaN(scores[i])) throw new RangeError(`score ${i} is not a number`);
    if (labels[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      result.push({ threshold: scores[i] as number, truePositives: tp, falsePositives: fp });
    }
  }
  return { cuts: result, positives: tp, negatives: fp };
}

/**
 * Area under the precision-recall curve as average precision: Σ (Rₙ − Rₙ₋₁) · Pₙ over the distinct
 * thresholds (scikit-learn's definition). 1 is perfect; a random score gets the fraud rate.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const { cuts: all, positives } = cuts(scores, labels);
  if (positives === 0) throw new RangeError('average precision needs at least one positive');
  let ap = 0;
  let lastRecall = 0;
  for (const cut of all) {
    const recall = cut.truePositives / positives;
    ap += (recall - lastRecall) * (cut.truePositives / (cut.truePositives + cut.falsePositives));
    lastRecall = recall;
  }
  return ap;
}

export interface OperatingPoint {
  /** Alert when score ≥ threshold (Infinity: never alert). */
  readonly threshold: number;
  readonly recall: number;
  /** False positives / negatives at that threshold: at most the asked rate. */
  readonly falsePositiveRate: number;
  readonly precision: number;
}

/**
 * The lowest threshold whose false-positive rate stays within `maxFpr`, and the recall there:
 * "recall at 0.1 % false positives". With no such threshold, nothing is alerted (recall 0).
 */
export function operatingPointAtFpr(
  scores: ArrayLike<number>,
  labels: ArrayLike<boolean>,
  maxFpr: number,
): OperatingPoint {
  const { cuts: all, positives, negatives } = cuts(scores, labels);
  if (positives === 0 || negatives === 0) throw new RangeError('an operating point needs positives and negatives');
  let best: OperatingPoint = { threshold: Number.POSITIVE_INFINITY, recall: 0, falsePositiveRate: 0, precision: 1 };
  for (const cut of all) {
    const fpr = cut.falsePositives / negatives;
    if (fpr > maxFpr) break;
    best = {
      threshold: cut.threshold,
      recall: cut.truePositives / positives,
      falsePositiveRate: fpr,
      precision: cut.truePositives / (cut.truePositives + cut.falsePositives),
    };
  }
  return best;
}

/** The headline numbers of one detector on one labelled set. */
export interface DetectionMetrics {
  readonly rows: number;
  readonly fraudRows: number;
  readonly prAuc: number;
  readonly recallAtFpr01pct: number;
  readonly recallAtFpr1pct: number;
}

export function detectionMetrics(scores: ArrayLike<number>, labels: ArrayLike<boolean>): DetectionMetrics {
  let fraudRows = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) fraudRows++;
  return {
    rows: labels.length,
    fraudRows,
    prAuc: averagePrecision(scores, labels),
    recallAtFpr01pct: operatingPointAtFpr(scores, labels, 0.001).recall,
    recallAtFpr1pct: operatingPointAtFpr(scores, labels, 0.01).recall,
  };
}
