import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paymentBinding, stepUpReasonsBeforeLookup, stepUpRules } from './step-up-policy.ts';

describe('step-up policy', () => {
  it('reads the threshold in each currency’s minor units, cutting extra decimals (never looser)', () => {
    const rules = stepUpRules({ stepUpThreshold: '500.505', stepUpNewPayee: true });
    assert.equal(rules.thresholdMinor.EUR, 50_050n);
    assert.equal(rules.thresholdMinor.JPY, 500n);
    assert.equal(rules.thresholdMinor.KWD, 500_505n);
    assert.equal(stepUpRules({ stepUpThreshold: '0', stepUpNewPayee: false }).thresholdMinor.EUR, 0n);
  });

  it('exempts own accounts and asks above the threshold or when risk flags it', () => {
    const rules = stepUpRules({ stepUpThreshold: '500.00', stepUpNewPayee: true });
    const transfer = { toOwnAccount: false, amountMinor: 500_00n, currency: 'EUR' as const, riskWantsStepUp: false };
    assert.deepEqual(stepUpReasonsBeforeLookup(rules, transfer), []);
    assert.deepEqual(stepUpReasonsBeforeLookup(rules, { ...transfer, amountMinor: 500_01n }), [
      'amount_above_threshold',
    ]);
    assert.deepEqual(stepUpReasonsBeforeLookup(rules, { ...transfer, riskWantsStepUp: true }), ['risk_flagged']);
    assert.equal(
      stepUpReasonsBeforeLookup(rules, {
        ...transfer,
        toOwnAccount: true,
        amountMinor: 10n ** 12n,
        riskWantsStepUp: true,
      }),
      'exempt',
    );
  });

  it('binds the amount as the API writes it, the currency and the payee IBAN', () => {
    assert.deepEqual(paymentBinding(75_000n, 'EUR', 'DE89370400440532013000'), {
      amount: '750.00',
      currency: 'EUR',
      payeeIban: 'DE89370400440532013000',
    });
  });
});
