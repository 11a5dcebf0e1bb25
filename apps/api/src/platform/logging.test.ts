import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logSerializers, maskIbansInText, redactUrl } from './logging.ts';

describe('log masking', () => {
  it('masks IBANs in free text, compact or grouped, keeping the country and last four', () => {
    assert.equal(maskIbansInText('payee DE89370400440532013000 refused'), 'payee DE**…3000 refused');
    assert.equal(maskIbansInText('DE89 3704 0044 0532 0130 00.'), 'DE**…3000.');
    assert.equal(maskIbansInText('gb82west12345698765432'), 'gb**…5432');
  });

  it('leaves ids, amounts and words alone', () => {
    const text = 'transfer trf_01jf8x9k2m3n4p5q6r7s8t9v0w of 750.00 EUR from acc_01jf8x9k2m3n4p5q6r7s8t9v0w';
    assert.equal(maskIbansInText(text), text);
  });

  it('masks IBANs in request paths and error messages', () => {
    assert.equal(redactUrl('/api/v1/accounts/DE89370400440532013000?limit=5'), '/api/v1/accounts/DE**…3000?limit=5');
    const serialized = logSerializers.err(new Error('no account DE89370400440532013000'));
    assert.equal(serialized.message, 'no account DE**…3000');
    assert.doesNotMatch(serialized.stack, /DE89370400440532013000/);
  });
});
