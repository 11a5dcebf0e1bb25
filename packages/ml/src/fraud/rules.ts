/**
 * The explicit rules a bank's fraud team writes before it has a model, over the same feature
 * values the model sees: the baseline the model must beat (docs/ml/fraud-model.md), and the
 * fallback the API can use when no model is loaded. Each rule has a weight, the chance it says
 * fraud when it fires, and the fired rules combine as independent evidence (noisy-OR):
 * score = 1 − Π(1 − weight). Pure, synchronous, a few microseconds.
 */
import { structuringThresholdEur } from '../constants.ts';
import { featureIndex, featureNames } from '../features/catalogue.ts';
import { logMajor } from '../features/snapshot.ts';
import type { FraudAssessment, Reason } from './assessment.ts';

type Value = (name: string) => number;

interface Rule {
  /** Stable id, reported as the reason's `feature` (prefixed `rule:`). */
  readonly id: string;
  readonly weight: number;
  readonly description: string;
  readonly fires: (v: Value) => boolean;
}

/** "Well above the customer's largest payment": 1.5 times it, on the log scale of amount_over_max_log. */
const wellAboveMaxLog = Math.log(1.5);
const tinyCardLog = logMajor(100);
/**
 * The cash reporting threshold on the amount's log scale. The feature values carry no currency, so
 * the rule reads amounts as euros: for other currencies it misses (the model has the same blind
 * spot: structuring in SEK looks like any large deposit).
 */
const thresholdLog = logMajor(structuringThresholdEur * 100);
const justUnderThresholdLog = logMajor(structuringThresholdEur * 100 * 0.9);

export const fraudRules: readonly Rule[] = [
  {
    id: 'takeover_pattern',
    weight: 0.9,
    description:
      'A payment from a device never seen on this account, to a payee never paid before, well above the largest payment the customer ever made.',
    fires: (v) => v('new_device') === 1 && v('new_payee') === 1 && v('amount_over_max_log') > wellAboveMaxLog,
  },
  {
    id: 'new_device_new_payee',
    weight: 0.3,
    description: 'A payment from a device never seen on this account to a payee never paid before.',
    fires: (v) => v('new_device') === 1 && v('new_payee') === 1,
  },
  {
    id: 'new_payee_record_amount',
    weight: 0.4,
    description: 'A transfer to a payee never paid before, well above the largest payment the customer ever made.',
    fires: (v) =>
      v('channel_transfer') === 1 &&
      v('new_payee') === 1 &&
      v('amount_over_max_log') > wellAboveMaxLog &&
      v('history_log') > Math.log1p(10),
  },
  {
    id: 'tiny_card_burst',
    weight: 0.9,
    description: 'Four or more card payments under 1.00 in the last 10 minutes: a stolen card being tested.',
    fires: (v) => v('channel_card') === 1 && v('is_money_out') === 1 && v('tiny_card_count_10m') >= 4,
  },
  {
    id: 'tiny_card_repeat',
    weight: 0.3,
    description: 'A third card payment under 1.00 within 10 minutes.',
    fires: (v) =>
      v('channel_card') === 1 &&
      v('is_money_out') === 1 &&
      v('amount_log') < tinyCardLog &&
      v('tiny_card_count_10m') >= 2,
  },
  {
    id: 'cash_out_after_fan_in',
    weight: 0.6,
    description:
      'Money leaving to a new payee or in cash after three or more payments arrived in the last 24 hours: a money mule passing funds on.',
    fires: (v) =>
      v('is_money_out') === 1 &&
      v('in_count_24h') >= 3 &&
      (v('channel_atm') === 1 || (v('channel_transfer') === 1 && v('new_payee') === 1)),
  },
  {
    id: 'fan_in_from_strangers',
    weight: 0.3,
    description: 'Money arriving from someone new, the fourth payment in or more in 24 hours.',
    fires: (v) => v('is_money_out') === 0 && v('new_counterparty') === 1 && v('in_count_24h') >= 3,
  },
  {
    id: 'fan_out_new_payees',
    weight: 0.3,
    description: 'A payment to a new payee after payments to two or more other payees in the last 24 hours.',
    fires: (v) => v('channel_transfer') === 1 && v('new_payee') === 1 && v('fan_out_24h') >= 2,
  },
  {
    id: 'many_payments_1h',
    weight: 0.2,
    description: 'Five or more payments in the hour before this one.',
    fires: (v) => v('is_money_out') === 1 && v('out_count_1h') >= 5,
  },
  {
    id: 'cash_just_under_threshold',
    weight: 0.5,
    description: 'A cash deposit just under the 10,000 reporting threshold.',
    fires: (v) =>
      v('channel_atm') === 1 &&
      v('is_money_out') === 0 &&
      v('amount_log') >= justUnderThresholdLog &&
      v('amount_log') < thresholdLog,
  },
];

/** The explicit rules (no model): a score in [0, 1] and the rules that fired as reasons, strongest first. */
export function rulesAssessment(values: Float64Array): FraudAssessment {
  if (values.length !== featureNames.length) {
    throw new RangeError(`expected ${featureNames.length} feature values, got ${values.length}`);
  }
  // A NaN makes every comparison false, so no rule would fire: refuse it instead (fail closed).
  const bad = values.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new RangeError(`feature ${featureNames[bad]} is not a finite number`);
  // featureIndex throws on a misspelt name: a rule can never read undefined and quietly not fire.
  const v: Value = (name) => values[featureIndex(name)] as number;
  const reasons: Reason[] = [];
  let clear = 1;
  for (const rule of fraudRules) {
    if (!rule.fires(v)) continue;
    clear *= 1 - rule.weight;
    reasons.push({ feature: `rule:${rule.id}`, description: rule.description, contribution: rule.weight });
  }
  reasons.sort((a, b) => b.contribution - a.contribution);
  return { score: 1 - clear, reasons };
}
