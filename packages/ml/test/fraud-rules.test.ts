import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FeatureSnapshot, featureVector, fraudRules, rulesAssessment } from '../src/index.ts';
import { newPayee, ordinary } from './snapshots.ts';

const rules = (s: Partial<FeatureSnapshot>) => rulesAssessment(featureVector({ ...ordinary, ...s }));
const fired = (s: Partial<FeatureSnapshot>) => rules(s).reasons.map((r) => r.feature);

describe('the rules baseline', () => {
  it('says nothing about an ordinary payment', () => {
    assert.deepEqual(rules({}), { score: 0, reasons: [] });
  });

  it('flags a takeover: new device, new payee, far above the largest payment ever', () => {
    const takeover = rules({ device: { firstSeenMs: null }, counterparty: newPayee, amountMinor: -300_000 });
    assert.deepEqual(
      takeover.reasons.map((r) => r.feature),
      ['rule:takeover_pattern', 'rule:new_payee_record_amount', 'rule:new_device_new_payee'],
    );
    assert.ok(Math.abs(takeover.score - (1 - 0.1 * 0.6 * 0.7)) < 1e-12, String(takeover.score));
    for (const reason of takeover.reasons) assert.ok(reason.description.length > 30, reason.feature);
    // The same payment from the customer's own phone is only a record amount to a new payee.
    assert.deepEqual(fired({ counterparty: newPayee, amountMinor: -300_000 }), ['rule:new_payee_record_amount']);
  });

  it('flags a burst of tiny card payments, not one tiny payment', () => {
    const card = { channel: 'card' as const, device: null, amountMinor: -37 };
    assert.deepEqual(fired({ ...card, tinyCard10m: 1 }), []);
    assert.deepEqual(fired({ ...card, tinyCard10m: 2 }), ['rule:tiny_card_repeat']);
    assert.deepEqual(fired({ ...card, tinyCard10m: 6 }), ['rule:tiny_card_burst', 'rule:tiny_card_repeat']);
  });

  it('flags money passed on after a fan-in, and many payments in an hour', () => {
    const fanIn = { in24h: { count: 4, sumMinor: 300_000 } };
    assert.deepEqual(fired({ ...fanIn, channel: 'atm', device: null, amountMinor: -40_000 }), [
      'rule:cash_out_after_fan_in',
    ]);
    assert.deepEqual(fired({ ...fanIn, amountMinor: 50_000, device: null, counterparty: newPayee }), [
      'rule:fan_in_from_strangers',
    ]);
    assert.deepEqual(fired({ out1h: { count: 6, sumMinor: 9000 } }), ['rule:many_payments_1h']);
  });

  it('flags a cash deposit just under the 10,000 threshold, not one just over it', () => {
    const cash = { channel: 'atm' as const, device: null };
    assert.deepEqual(fired({ ...cash, amountMinor: 950_000 }), ['rule:cash_just_under_threshold']);
    assert.deepEqual(fired({ ...cash, amountMinor: 1_000_000 }), []);
    assert.deepEqual(fired({ ...cash, amountMinor: 850_000 }), []);
  });

  it('keeps every score in [0, 1] and refuses values of the wrong length', () => {
    assert.ok(fraudRules.every((r) => r.weight > 0 && r.weight < 1));
    assert.throws(() => rulesAssessment(new Float64Array(3)), /expected 39 feature values/);
    const broken = featureVector(ordinary);
    broken[2] = Number.NaN;
    assert.throws(() => rulesAssessment(broken), /feature amount_z is not a finite number/);
  });
});
