import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FraudAssessment } from '@nextgen/ml';
import { riskRulesDeclineScoreMin, riskRulesStepUpScoreMin } from '../src/platform/constants.ts';
import { decide } from '../src/risk/decision.ts';

/** How scores become payments' outcomes (risk/decision.ts, docs/adr/0130, 0131). Pure: no database. */
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

  it('holds for review at the model’s 0.1 % threshold, with a reason safe to tell the customer', () => {
    assert.deepEqual(decide(assessed(0.5, 'new_payee'), thresholds, quiet, false), {
      outcome: 'hold',
      reason: 'new_payee',
      customerReason: 'new_payee',
    });
    // The payee's other customers are never the customer's explanation.
    const fanIn = decide(assessed(0.7, 'counterparty_fan_in_24h'), thresholds, quiet, false);
    assert.equal(fanIn.outcome === 'hold' && fanIn.customerReason, 'unusual_activity');
    const device = decide(
      assessed(0.7, 'counterparty_fan_in_24h'),
      thresholds,
      assessed(0.2, 'rule:new_device_new_payee'),
      false,
    );
    assert.equal(device.outcome === 'hold' && device.customerReason, 'new_device');
  });

  it('declines at the rules’ decline score (the takeover pattern), before any hold', () => {
    const rules = assessed(riskRulesDeclineScoreMin, 'rule:takeover_pattern');
    assert.deepEqual(decide(null, null, rules, false), { outcome: 'decline', reason: 'rule:takeover_pattern' });
    assert.equal(decide(assessed(0.99), thresholds, rules, false).outcome, 'decline');
  });

  it('never holds or declines an own-account transfer: step-up at most', () => {
    assert.equal(decide(assessed(0.99), thresholds, assessed(0.99), true).outcome, 'step_up');
    assert.equal(decide(assessed(0.99), thresholds, quiet, true).outcome, 'step_up');
  });

  it('decides by the rules alone without a model', () => {
    assert.equal(decide(null, null, assessed(0.4), false).outcome, 'allow');
    assert.equal(decide(null, null, assessed(0.58), false).outcome, 'step_up');
  });
});
