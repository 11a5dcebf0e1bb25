/**
 * Money on screen. An amount is an integer count of minor units (a bigint, or its decimal string as
 * the API's minor-unit fields carry it) plus an ISO 4217 code; it never passes through a JS number,
 * so 90 071 992 547 409.93 EUR shows every cent. Digits come from the currency (JPY 0, EUR 2,
 * KWD 3) as Intl knows them, never from the locale.
 */

export interface Money {
  readonly amountMinor: bigint;
  readonly currency: string;
}

const currencyPattern = /^[A-Z]{3}$/;
const minorPattern = /^-?\d+$/;
/** A decimal major-unit string as the API shows amounts: "1234.50", "-0.5", "1000". */
const decimalPattern = /^(-)?(\d+)(?:\.(\d+))?$/;

export class InvalidMoney extends Error {
  override readonly name = 'InvalidMoney';
}

/** Minor-unit digits of a currency (JPY 0, EUR 2, KWD 3), as the platform's Intl data has them. */
export function currencyDigits(currency: string): number {
  assertCurrency(currency);
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

function assertCurrency(currency: string): void {
  if (!currencyPattern.test(currency)) throw new InvalidMoney(`not an ISO 4217 code: ${currency}`);
}

export function money(amountMinor: bigint | string, currency: string): Money {
  assertCurrency(currency);
  if (typeof amountMinor === 'string' && !minorPattern.test(amountMinor)) {
    throw new InvalidMoney('minor units must be an integer string');
  }
  return { amountMinor: BigInt(amountMinor), currency };
}

/** Parses the API's `{ amount: "12.34", currency: "EUR" }` into minor units, refusing more digits than the currency has. */
export function moneyFromDecimal(amount: string, currency: string): Money {
  const digits = currencyDigits(currency);
  const match = decimalPattern.exec(amount);
  if (!match) throw new InvalidMoney('not a decimal amount');
  const [, minus, whole = '0', fraction = ''] = match;
  if (fraction.length > digits) throw new InvalidMoney(`${currency} has ${digits} decimal digits`);
  const minor = BigInt(whole + fraction.padEnd(digits, '0'));
  return { amountMinor: minus ? -minor : minor, currency };
}

/** The exact decimal string of an amount in major units: 123456n EUR → "1234.56", 5n KWD → "0.005". */
export function toDecimalString({ amountMinor, currency }: Money): string {
  const digits = currencyDigits(currency);
  const negative = amountMinor < 0n;
  const magnitude = (negative ? -amountMinor : amountMinor).toString().padStart(digits + 1, '0');
  const whole = magnitude.slice(0, magnitude.length - digits);
  const fraction = magnitude.slice(magnitude.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

export interface FormatMoneyOptions {
  /** `always` shows + on credits (history lists); `auto` only marks negatives. */
  readonly signDisplay?: 'auto' | 'always' | 'exceptZero';
  readonly currencyDisplay?: 'symbol' | 'narrowSymbol' | 'code';
}

/**
 * Engines that implement Intl.NumberFormat v3 (V8, JavaScriptCore) format a decimal string exactly.
 * One that would round it through a number fails this probe, and `formatMoney` then formats the
 * integer part from the bigint itself.
 */
function formatsDecimalStringsExactly(): boolean {
  const probe = '9007199254740993';
  const parts = new Intl.NumberFormat('en', { useGrouping: false }).formatToParts(probe as unknown as number);
  return parts.map((p) => p.value).join('') === probe;
}
const exactStrings = formatsDecimalStringsExactly();

export function formatMoney(
  value: Money,
  locale: string,
  options: FormatMoneyOptions = {},
  engine: { exactStrings: boolean } = { exactStrings },
): string {
  const digits = currencyDigits(value.currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: value.currency,
    currencyDisplay: options.currencyDisplay ?? 'symbol',
    signDisplay: options.signDisplay ?? 'auto',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  const decimal = toDecimalString(value);
  // Intl accepts decimal strings as exact numerics (ECMA-402 NumberFormat v3); TypeScript's lib still says number.
  if (engine.exactStrings) return format.format(decimal as unknown as number);
  return formatWithBigIntDigits(format, decimal);
}

/**
 * Fallback: take the locale's pattern (sign, symbol position, separators) from a small template
 * number with the same sign, then put in the digits of the exact decimal string ourselves.
 */
function formatWithBigIntDigits(format: Intl.NumberFormat, decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  const template = format.formatToParts(negative ? -1234.5 : 1234.5);
  const group = template.find((p) => p.type === 'group')?.value ?? '';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  let wroteInteger = false;
  return template
    .map((part) => {
      if (part.type === 'integer') {
        if (wroteInteger) return '';
        wroteInteger = true;
        return grouped;
      }
      if (part.type === 'group') return '';
      if (part.type === 'fraction') return fraction;
      return part.value;
    })
    .join('');
}
