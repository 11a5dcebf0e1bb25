import type { FraudAssessment } from '@nextgen/ml';
import { riskRulesDeclineScoreMin, riskRulesStepUpScoreMin } from '../platform/constants.ts';
import type { CustomerReason } from './contract.ts';
import { customerReasonOf } from './customer-reasons.ts';

/** The model's fitted thresholds (FraudScorer.thresholds): score at 1 % and 0.1 % false positives. */
export interface Thresholds {
  readonly fpr1pct: number;
  readonly fpr01pct: number;
}

type Level = 'clear' | 'review' | 'hold' | 'block';

/** What the scores decide, before the decision is stored (the service adds its id). */
export type Verdict =
  | { readonly outcome: 'allow' }
  | { readonly outcome: 'step_up' | 'decline'; readonly reason: string }
  | { readonly outcome: 'hold'; readonly reason: string; readonly customerReason: CustomerReason };

/**
 * Where a transfer lands (docs/adr/0130, 0131): `block` when the explicit rules reach
 * riskRulesDeclineScoreMin (the takeover pattern); `hold` when the model scores it at or above its
 * 0.1 % false-positive threshold, so an analyst, not the model alone, refuses a customer's payment;
 * `review` at the model's 1 % threshold or riskRulesStepUpScoreMin; `clear` otherwise. Without a
 * model only the rules count.
 */
function levelOf(model: FraudAssessment | null, thresholds: Thresholds | null, rules: FraudAssessment): Level {
  const modelScore = model?.score ?? 0;
  if (rules.score >= riskRulesDeclineScoreMin) return 'block';
  if (thresholds && modelScore >= thresholds.fpr01pct) return 'hold';
  if (rules.score >= riskRulesStepUpScoreMin) return 'review';
  if (thresholds && modelScore >= thresholds.fpr1pct) return 'review';
  return 'clear';
}

/**
 * The level onto payments' outcomes. `review` is a passkey step-up: the customer, not a fraudster
 * holding only the session, can still pay. Own-account transfers are never held or declined: money
 * stays with the customer, so the worst case is a step-up.
 */
export function decide(
  model: FraudAssessment | null,
  thresholds: Thresholds | null,
  rules: FraudAssessment,
  toOwnAccount: boolean,
): Verdict {
  const level = levelOf(model, thresholds, rules);
  if (level === 'clear') return { outcome: 'allow' };
  const reason = (model?.reasons[0] ?? rules.reasons[0])?.feature ?? 'score';
  if (toOwnAccount || level === 'review') return { outcome: 'step_up', reason };
  if (level === 'block') return { outcome: 'decline', reason };
  // Held by the model: its strongest features say why, then the rules that fired.
  const explained = [...(model?.reasons ?? []), ...rules.reasons]
    .filter((r) => r.contribution > 0)
    .map((r) => r.feature);
  return { outcome: 'hold', reason, customerReason: customerReasonOf(explained) };
}
