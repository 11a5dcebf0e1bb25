import { parseRecipient } from './recipient';

describe('parseRecipient', () => {
  it('reads the kind and id of a choice', () => {
    expect(parseRecipient('payee:pye_1')).toEqual({ kind: 'payee', id: 'pye_1' });
    expect(parseRecipient('account:acc_2')).toEqual({ kind: 'account', id: 'acc_2' });
    expect(parseRecipient('')).toBeUndefined();
    expect(parseRecipient('iban:DE12')).toBeUndefined();
  });
});
