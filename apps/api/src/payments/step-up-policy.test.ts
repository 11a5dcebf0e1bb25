import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cumulativeCheck,
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

  it('hands payments_post the cumulative check in the currency’s own threshold, as decimal strings', () => {
    const rules = stepUpRules({ stepUpThreshold: 'KWD:75.500', stepUpNewPayee: true });
    assert.deepEqual(cumulativeCheck(rules, { customerId: 'cus_1', amountMinor: 10_000n, currency: 'KWD' }), {
      customerId: 'cus_1',
      currency: 'KWD',
      amountMinor: '10000',
      thresholdMinor: '75500',
      windowMs: 24 * 60 * 60 * 1000,
    });
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
