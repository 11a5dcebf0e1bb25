import type { FraudAssessment } from '@nextgen/ml';
import { riskRulesDeclineScoreMin, riskRulesStepUpScoreMin } from '../platform/constants.ts';
import type { RiskDecision } from './contract.ts';

/** The model's fitted thresholds (FraudScorer.thresholds): score at 1 % and 0.1 % false positives. */
export interface Thresholds {
  readonly fpr1pct: number;
  readonly fpr01pct: number;
}

type Level = 'clear' | 'review' | 'block';

/**
 * Where a transfer lands (docs/adr/0130): `block` when the model scores it at or above its 0.1 %
 * false-positive threshold or the rules reach riskRulesDeclineScoreMin; `review` at the model's
 * 1 % threshold or riskRulesStepUpScoreMin; `clear` otherwise. Without a model only the rules count.
 */
function levelOf(model: FraudAssessment | null, thresholds: Thresholds | null, rules: FraudAssessment): Level {
  const modelScore = model?.score ?? 0;
  if (rules.score >= riskRulesDeclineScoreMin) return 'block';
  if (thresholds && modelScore >= thresholds.fpr01pct) return 'block';
  if (rules.score >= riskRulesStepUpScoreMin) return 'review';
  if (thresholds && modelScore >= thresholds.fpr1pct) return 'review';
  return 'clear';
}

/**
 * The level onto payments' outcomes. `review` (hold for an analyst: a later slice) is a passkey
 * step-up for now: the customer, not a fraudster holding only the session, can still pay. Own-account
 * transfers are never declined: money stays with the customer, so the worst case is a step-up.
 */
export function decide(
  model: FraudAssessment | null,
  thresholds: Thresholds | null,
  rules: FraudAssessment,
  toOwnAccount: boolean,
): RiskDecision {
  const level = levelOf(model, thresholds, rules);
  if (level === 'clear') return { outcome: 'allow' };
  const reason = (model?.reasons[0] ?? rules.reasons[0])?.feature ?? 'score';
  if (level === 'block' && !toOwnAccount) return { outcome: 'decline', reason };
  return { outcome: 'step_up', reason };
}
