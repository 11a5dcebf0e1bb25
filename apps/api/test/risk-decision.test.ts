import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FraudAssessment } from '@nextgen/ml';
import { riskRulesDeclineScoreMin, riskRulesStepUpScoreMin } from '../src/platform/constants.ts';
import { decide } from '../src/risk/decision.ts';

/** How scores become payments' outcomes (risk/decision.ts, docs/adr/0130). Pure: no database. */
const thresholds = { fpr1pct: 0.01, fpr01pct: 0.5 };
const assessed = (score: number, feature = 'amount_z'): FraudAssessment => ({
  score,
  reasons: [{ feature, description: 'words', contribution: score }],
});
const quiet = assessed(0);

describe('fraud decision levels', () => {
  it('allows what neither the model nor the rules flag', () => {
    assert.deepEqual(decide(assessed(0.009), thresholds, assessed(0.3), false), { outcome: 'allow' });
  });

  it('asks for step-up at the model’s 1 % threshold or the rules’ step-up score', () => {
    assert.equal(decide(assessed(0.01), thresholds, quiet, false).outcome, 'step_up');
    assert.equal(decide(quiet, thresholds, assessed(riskRulesStepUpScoreMin), false).outcome, 'step_up');
  });

  it('declines at the model’s 0.1 % threshold or the rules’ decline score, naming the strongest reason', () => {
    assert.deepEqual(decide(assessed(0.5, 'new_payee'), thresholds, quiet, false), {
      outcome: 'decline',
      reason: 'new_payee',
    });
    const rules = assessed(riskRulesDeclineScoreMin, 'rule:takeover_pattern');
    assert.deepEqual(decide(null, null, rules, false), { outcome: 'decline', reason: 'rule:takeover_pattern' });
  });

  it('never declines an own-account transfer: step-up at most', () => {
    assert.equal(decide(assessed(0.99), thresholds, assessed(0.99), true).outcome, 'step_up');
  });

  it('decides by the rules alone without a model', () => {
    assert.equal(decide(null, null, assessed(0.4), false).outcome, 'allow');
    assert.equal(decide(null, null, assessed(0.58), false).outcome, 'step_up');
  });
});
