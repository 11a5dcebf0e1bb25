import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatAmount, parsePositiveAmount } from './money.ts';

describe('Money', () => {
  it('parses decimal strings into exact minor units', () => {
    assert.equal(parsePositiveAmount('1234.50', 'EUR'), 123450n);
    assert.equal(parsePositiveAmount('0.01', 'EUR'), 1n);
    assert.equal(parsePositiveAmount('12', 'EUR'), 1200n);
    assert.equal(parsePositiveAmount('12.340', 'EUR'), 1234n);
    assert.equal(parsePositiveAmount('500', 'JPY'), 500n);
    assert.equal(parsePositiveAmount('1.234', 'KWD'), 1234n);
  });

  it('says why an amount is refused', () => {
    assert.equal(parsePositiveAmount('12.345', 'EUR'), 'too_precise');
    assert.equal(parsePositiveAmount('1.5', 'JPY'), 'too_precise');
    assert.equal(parsePositiveAmount('0.00', 'EUR'), 'not_positive');
    assert.equal(parsePositiveAmount('-1.00', 'EUR'), 'malformed');
    assert.equal(parsePositiveAmount('1e3', 'EUR'), 'malformed');
    assert.equal(parsePositiveAmount(' 1.00', 'EUR'), 'malformed');
    assert.equal(parsePositiveAmount('01.00', 'EUR'), 'malformed');
    assert.equal(parsePositiveAmount('1.', 'EUR'), 'malformed');
    assert.equal(parsePositiveAmount('99999999999999999', 'EUR'), 'too_large');
  });

  it('formats minor units with the currency exponent', () => {
    assert.equal(formatAmount(123450n, 'EUR'), '1234.50');
    assert.equal(formatAmount(5n, 'EUR'), '0.05');
    assert.equal(formatAmount(-5n, 'EUR'), '-0.05');
    assert.equal(formatAmount(0n, 'EUR'), '0.00');
    assert.equal(formatAmount(1500n, 'JPY'), '1500');
    assert.equal(formatAmount(1n, 'KWD'), '0.001');
  });

  it('round-trips every positive amount through format and parse', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.constantFrom('EUR', 'JPY', 'KWD') as fc.Arbitrary<'EUR'>,
        (amountMinor, currency) => {
          assert.equal(parsePositiveAmount(formatAmount(amountMinor, currency), currency), amountMinor);
        },
      ),
    );
  });
});
