import { amountInputText, parseAmountInput } from './amount-input';

const minor = (text: string, locale: string, currency = 'EUR') => {
  const parsed = parseAmountInput(text, locale, currency);
  return parsed.ok ? parsed.money.amountMinor : parsed.problem;
};

describe('parseAmountInput', () => {
  it('reads English input with a point and comma groups', () => {
    expect(minor('45.50', 'en-GB')).toBe(4550n);
    expect(minor('1,234.56', 'en-GB')).toBe(123456n);
    expect(minor('1234', 'en-GB')).toBe(123400n);
    expect(minor(' 0.5 ', 'en-GB')).toBe(50n);
    expect(minor('12.', 'en-GB')).toBe(1200n);
  });

  it('reads German input with a comma and point groups', () => {
    expect(minor('45,50', 'de-DE')).toBe(4550n);
    expect(minor('1.234,56', 'de-DE')).toBe(123456n);
    expect(minor('1.234.567', 'de-DE')).toBe(123456700n);
    expect(minor('0,05', 'de-DE')).toBe(5n);
  });

  it('keeps every digit of amounts beyond a JS number', () => {
    expect(minor('90071992547409.93', 'en-GB')).toBe(9007199254740993n);
  });

  it('uses the currency’s own digits', () => {
    expect(minor('1000', 'en-GB', 'JPY')).toBe(1000n);
    expect(minor('1.5', 'en-GB', 'JPY')).toBe('tooPrecise');
    expect(minor('1.234', 'en-GB', 'KWD')).toBe(1234n);
    expect(minor('1,234', 'de-DE', 'KWD')).toBe(1234n);
  });

  it('refuses more decimals than the currency has', () => {
    expect(minor('12.345', 'en-GB')).toBe('tooPrecise');
    expect(minor('12,345', 'de-DE')).toBe('tooPrecise');
  });

  it('refuses negative and zero amounts', () => {
    expect(minor('-5', 'en-GB')).toBe('negative');
    expect(minor('−5,00', 'de-DE')).toBe('negative');
    expect(minor('0', 'en-GB')).toBe('zero');
    expect(minor('0,00', 'de-DE')).toBe('zero');
  });

  it('refuses garbage, empty input and misplaced separators', () => {
    expect(minor('', 'en-GB')).toBe('empty');
    expect(minor('   ', 'de-DE')).toBe('empty');
    expect(minor('abc', 'en-GB')).toBe('malformed');
    expect(minor('12e3', 'en-GB')).toBe('malformed');
    expect(minor('1.2.3', 'en-GB')).toBe('malformed');
    expect(minor('12,50', 'en-GB')).toBe('malformed');
    expect(minor('12.50', 'de-DE')).toBe('malformed');
    expect(minor('€5', 'en-GB')).toBe('malformed');
    expect(minor('1'.repeat(41), 'en-GB')).toBe('malformed');
  });
});

describe('amountInputText', () => {
  it('writes an amount as it would be typed, and reads back the same', () => {
    const money = { amountMinor: 123450n, currency: 'EUR' };
    expect(amountInputText(money, 'en-GB')).toBe('1234.50');
    expect(amountInputText(money, 'de-DE')).toBe('1234,50');
    expect(parseAmountInput(amountInputText(money, 'de-DE'), 'de-DE', 'EUR')).toEqual({ ok: true, money });
  });
});
