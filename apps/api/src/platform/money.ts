import { amountMinorMax } from './constants.ts';

/*
 * Money is an integer count of minor units (`amountMinor: bigint`) plus an ISO 4217 currency. Never a
 * float: the API shows amounts as decimal strings ("1234.50") and parses them back here, exactly.
 */

/** ISO 4217 currencies the bank keeps accounts in, with their minor-unit exponent. */
export const currencyExponents = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  JPY: 0,
  KWD: 3,
} as const;
export type Currency = keyof typeof currencyExponents;
export const currencies = Object.keys(currencyExponents) as Currency[];

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(currencyExponents, code);
}

export type AmountParseFailure = 'malformed' | 'too_precise' | 'not_positive' | 'too_large';

/** Decimal strings with an optional fraction: "12", "12.3", "12.34". No sign, exponent or spaces. */
const decimalPattern = /^(0|[1-9][0-9]{0,17})(?:\.([0-9]{1,18}))?$/;

/**
 * Parses a positive decimal amount for `currency` into minor units, or says why it cannot.
 * "12.345" EUR is too precise; "0.00" is not positive; trailing zeros beyond the exponent are
 * accepted only when they are zeros ("12.340" EUR is 1234 minor units).
 */
export function parsePositiveAmount(text: string, currency: Currency): bigint | AmountParseFailure {
  const match = decimalPattern.exec(text);
  if (!match) return 'malformed';
  const exponent = currencyExponents[currency];
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) return 'too_precise';
  const amountMinor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (amountMinor <= 0n) return 'not_positive';
  if (amountMinor > amountMinorMax) return 'too_large';
  return amountMinor;
}

/** Formats minor units as the API's decimal string: 123450n EUR → "1234.50", -5n → "-0.05". */
export function formatAmount(amountMinor: bigint, currency: Currency): string {
  const exponent = currencyExponents[currency];
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/** The API's money shape: `{ "amount": "12.34", "currency": "EUR" }`. */
export function toApiMoney(amountMinor: bigint, currency: Currency): { amount: string; currency: Currency } {
  return { amount: formatAmount(amountMinor, currency), currency };
}
