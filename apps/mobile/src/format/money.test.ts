import { currencyDigits, formatMoney, InvalidMoney, money, moneyFromDecimal, toDecimalString } from './money';

// Intl separates the amount from the symbol with a no-break space (U+00A0) in de-DE; normalise it
// so expectations read plainly.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
const fmt = (minor: bigint | string, currency: string, locale: string, exactStrings = true) =>
  plain(formatMoney(money(minor, currency), locale, {}, { exactStrings }));

describe('currency digits', () => {
  it('uses each currency’s own minor units', () => {
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
  });
  it('refuses what is not an ISO 4217 code', () => {
    expect(() => currencyDigits('eur')).toThrow(InvalidMoney);
  });
});

describe.each([true, false])('formatMoney (engine formats decimal strings exactly: %s)', (exactStrings) => {
  it('formats euros for de-DE and en-GB', () => {
    expect(fmt(123456n, 'EUR', 'de-DE', exactStrings)).toBe('1.234,56 €');
    expect(fmt(123456n, 'EUR', 'en-GB', exactStrings)).toBe('€1,234.56');
  });
  it('shows JPY with no decimals and KWD with three', () => {
    expect(fmt(1234n, 'JPY', 'en-GB', exactStrings)).toBe('JP¥1,234');
    expect(fmt(1234n, 'JPY', 'de-DE', exactStrings)).toBe('1.234 ¥');
    expect(fmt(1234567n, 'KWD', 'en-GB', exactStrings)).toBe('KWD 1,234.567');
    expect(fmt(5n, 'KWD', 'de-DE', exactStrings)).toBe('0,005 KWD');
  });
  it('marks negative amounts', () => {
    expect(fmt(-5n, 'EUR', 'en-GB', exactStrings)).toBe('-€0.05');
    expect(fmt(-123456n, 'EUR', 'de-DE', exactStrings)).toBe('-1.234,56 €');
  });
  it('keeps every digit of amounts a float would round', () => {
    // 2^63 - 1 minor units: far past Number.MAX_SAFE_INTEGER.
    expect(fmt('9223372036854775807', 'EUR', 'en-GB', exactStrings)).toBe('€92,233,720,368,547,758.07');
    expect(fmt('9007199254740993', 'JPY', 'de-DE', exactStrings)).toBe('9.007.199.254.740.993 ¥');
  });
  it('shows zero with the currency’s digits', () => {
    expect(fmt(0n, 'EUR', 'de-DE', exactStrings)).toBe('0,00 €');
  });
});

describe('signs for movements', () => {
  it('shows + on credits when asked', () => {
    expect(plain(formatMoney(money(2500n, 'EUR'), 'en-GB', { signDisplay: 'exceptZero' }))).toBe('+€25.00');
  });
});

describe('decimal strings', () => {
  it('round-trips the API’s decimal amounts through minor units', () => {
    expect(moneyFromDecimal('1234.5', 'EUR').amountMinor).toBe(123450n);
    expect(moneyFromDecimal('-0.005', 'KWD').amountMinor).toBe(-5n);
    expect(moneyFromDecimal('1000', 'JPY').amountMinor).toBe(1000n);
    expect(toDecimalString(money(-5n, 'KWD'))).toBe('-0.005');
    expect(toDecimalString(money(123456n, 'JPY'))).toBe('123456');
  });
  it('refuses more digits than the currency has, and what is not a number', () => {
    expect(() => moneyFromDecimal('1.234', 'EUR')).toThrow(InvalidMoney);
    expect(() => moneyFromDecimal('1.5', 'JPY')).toThrow(InvalidMoney);
    expect(() => moneyFromDecimal('1e3', 'EUR')).toThrow(InvalidMoney);
    expect(() => money('12.5', 'EUR')).toThrow(InvalidMoney);
  });
});
