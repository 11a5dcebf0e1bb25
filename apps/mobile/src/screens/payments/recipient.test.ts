import { ibanMatchesMask, parseRecipient } from './recipient';

describe('ibanMatchesMask', () => {
  const mask = 'DE** **** **** **** **67 89';
  it('accepts the IBAN the mask was made of, with or without spaces and in lower case', () => {
    expect(ibanMatchesMask('DE12 5001 0517 0123 4567 89', mask)).toBe(true);
    expect(ibanMatchesMask('de12500105170123456789', mask)).toBe(true);
  });
  it('refuses another IBAN, a shorter one, or nothing', () => {
    expect(ibanMatchesMask('DE12 5001 0517 0123 4567 88', mask)).toBe(false);
    expect(ibanMatchesMask('AT12 5001 0517 0123 4567 89', mask)).toBe(false);
    expect(ibanMatchesMask('DE12 5001 0517 0123 4567 8', mask)).toBe(false);
    expect(ibanMatchesMask('', mask)).toBe(false);
  });
});

describe('parseRecipient', () => {
  it('reads the kind and id of a choice', () => {
    expect(parseRecipient('payee:pye_1')).toEqual({ kind: 'payee', id: 'pye_1' });
    expect(parseRecipient('account:acc_2')).toEqual({ kind: 'account', id: 'acc_2' });
    expect(parseRecipient('')).toBeUndefined();
  });
});
