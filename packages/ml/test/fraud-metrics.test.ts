import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averagePrecision, detectionMetrics, operatingPointAtFpr } from '../src/index.ts';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} is not ${expected}`);

describe('average precision (PR-AUC)', () => {
  it('matches the value worked by hand (and scikit-learn) for a small ranking', () => {
    // Ranked: P N P N N P → precision at each positive 1, 2/3, 3/6: AP = (1 + 2/3 + 1/2) / 3.
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    const labels = [true, false, true, false, false, true];
    close(averagePrecision(scores, labels), (1 + 2 / 3 + 1 / 2) / 3, 'AP');
  });

  it('is 1 for a perfect ranking and treats a tie as one threshold, never in the detector’s favour', () => {
    close(averagePrecision([3, 2, 1], [true, true, false]), 1, 'perfect');
    // All tied: one threshold, precision = fraud rate.
    close(averagePrecision([1, 1, 1, 1], [true, false, false, false]), 0.25, 'all tied');
    // scikit-learn: average_precision_score([1,0,1,0], [.9,.5,.5,.1]) = 0.5 * 1 + 0.5 * 2/3
    close(averagePrecision([0.9, 0.5, 0.5, 0.1], [true, false, true, false]), 0.5 + 0.5 * (2 / 3), 'tie in the middle');
  });

  it('refuses a set without fraud, and scores of another length', () => {
    assert.throws(() => averagePrecision([0.5], [false]), /at least one positive/);
    assert.throws(() => averagePrecision([0.5, 0.1], [true]), /differ in length/);
  });
});

describe('recall at a false-positive rate', () => {
  // 1,000 legitimate rows scored 0, 0.001 … 0.999; ten fraud rows, six of them near the top.
  const legit = Array.from({ length: 1000 }, (_, i) => i / 1000);
  const fraud = [0.9995, 0.9985, 0.9975, 0.9965, 0.9955, 0.995, 0.985, 0.5, 0.2, 0.1];
  const scores = [...legit, ...fraud];
  const labels = [...legit.map(() => false), ...fraud.map(() => true)];

  it('finds the lowest threshold that stays within the rate, and the recall there', () => {
    // 0.1 % of 1,000 legitimate rows is one false positive: 0.9995 (fraud), 0.999 (the one false
    // positive), 0.9985 (fraud), then legitimate 0.998 would be the second.
    const at01 = operatingPointAtFpr(scores, labels, 0.001);
    assert.deepEqual([at01.recall, at01.threshold, at01.falsePositiveRate], [0.2, 0.9985, 0.001]);
    // 1 % is ten: legitimate 0.999 … 0.990, with six fraud rows above 0.990 (0.995 ties a legitimate
    // row and counts with it); legitimate 0.989 would be the eleventh.
    const at1 = operatingPointAtFpr(scores, labels, 0.01);
    assert.deepEqual([at1.recall, at1.threshold, at1.falsePositiveRate], [0.6, 0.99, 0.01]);
    close(at1.precision, 6 / 16, 'precision');
  });

  it('alerts on nothing when even the top score is a false positive', () => {
    const none = operatingPointAtFpr([0.9, 0.1], [false, true], 0.001);
    assert.equal(none.recall, 0);
    assert.equal(none.threshold, Number.POSITIVE_INFINITY);
  });

  it('gives the headline metrics together', () => {
    const m = detectionMetrics(scores, labels);
    assert.deepEqual([m.rows, m.fraudRows, m.recallAtFpr01pct, m.recallAtFpr1pct], [1010, 10, 0.2, 0.6]);
    assert.equal(m.prAuc, averagePrecision(scores, labels));
  });
});
