import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cumulativeAboveThreshold,
  paymentBinding,
  stepUpReasonsBeforeLookup,
  stepUpRules,
  stepUpThresholds,
} from './step-up-policy.ts';

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

  it('keeps a threshold per currency, with defaults in each and CUR:amount pairs over them', () => {
    const defaults = stepUpThresholds('');
    assert.equal(defaults.EUR, 500_00n);
    assert.equal(defaults.KWD, 150_000n, '150 KWD, not 500 KWD (about 1,600 EUR)');
    assert.equal(defaults.JPY, 80_000n);
    const set = stepUpThresholds('EUR:250.00, KWD:75.500');
    assert.equal(set.EUR, 250_00n);
    assert.equal(set.KWD, 75_500n);
    assert.equal(set.USD, defaults.USD);
    assert.equal(stepUpRules({ stepUpThreshold: '', stepUpNewPayee: true }).thresholdMinor.KWD, 150_000n);
  });

  it('adds the unapproved payments of the window to this one (against splitting)', () => {
    const rules = stepUpRules({ stepUpThreshold: '', stepUpNewPayee: true });
    const payment = { amountMinor: 100_00n, currency: 'EUR' as const };
    assert.equal(cumulativeAboveThreshold(rules, { ...payment, unapprovedInWindowMinor: 400_00n }), false);
    assert.equal(cumulativeAboveThreshold(rules, { ...payment, unapprovedInWindowMinor: 400_01n }), true);
    const off = stepUpRules({ stepUpThreshold: '', stepUpNewPayee: true, stepUpCumulative: false });
    assert.equal(cumulativeAboveThreshold(off, { ...payment, unapprovedInWindowMinor: 10n ** 12n }), false);
  });

  it('binds the amount as the API writes it, the currency, the payee IBAN and the debited account', () => {
    assert.deepEqual(paymentBinding(75_000n, 'EUR', 'DE89370400440532013000', 'acc_01jf8x3m5n6p7q8r9s0t1v2w3x'), {
      amount: '750.00',
      currency: 'EUR',
      payeeIban: 'DE89370400440532013000',
      fromAccountId: 'acc_01jf8x3m5n6p7q8r9s0t1v2w3x',
    });
  });
});
