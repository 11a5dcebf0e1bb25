/**
 * What a person types as an amount, read in their locale: "1,234.56" in en-GB, "1.234,56" in de-DE.
 * The result is integer minor units of the account's currency (src/format/money.ts), so nothing
 * passes through a JS number. Group separators are accepted only between groups of three digits:
 * "12.50" typed on a German phone is refused rather than read as 1 250 €.
 */
import { currencyDigits, type Money, toDecimalString } from '../../format/money';
import { amountInputLengthMax } from './limits';

export type AmountInputProblem = 'empty' | 'malformed' | 'negative' | 'zero' | 'tooPrecise';

export type AmountInput =
  | { readonly ok: true; readonly money: Money }
  | { readonly ok: false; readonly problem: AmountInputProblem; readonly digits: number };

/** The decimal and grouping characters the locale writes numbers with. */
function separatorsOf(locale: string): { decimal: string; group: string } {
  const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(1234567.5);
  return {
    decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
    group: parts.find((p) => p.type === 'group')?.value ?? ',',
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const spaceLike = /^[\s\u00a0\u202f]$/;

export function parseAmountInput(text: string, locale: string, currency: string): AmountInput {
  const digits = currencyDigits(currency);
  const refuse = (problem: AmountInputProblem): AmountInput => ({ ok: false, problem, digits });
  const trimmed = text.trim();
  if (trimmed === '') return refuse('empty');
  if (trimmed.length > amountInputLengthMax) return refuse('malformed');
  const { decimal, group } = separatorsOf(locale);
  const negative = /^[-\u2212]/.test(trimmed);
  const unsigned = negative ? trimmed.slice(1).trimStart() : trimmed;
  // Locales that group with a (narrow) no-break space are typed with a plain one.
  const groupChars = spaceLike.test(group) ? '[\\s\\u00a0\\u202f]' : escapeRegExp(group);
  const pattern = new RegExp(`^(\\d{1,3}(?:${groupChars}\\d{3})+|\\d+)(?:${escapeRegExp(decimal)}(\\d*))?$`);
  const match = pattern.exec(unsigned);
  if (!match) return refuse('malformed');
  if (negative) return refuse('negative');
  const whole = (match[1] ?? '').replace(/\D/g, '');
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return refuse('tooPrecise');
  const amountMinor = BigInt(whole + fraction.padEnd(digits, '0'));
  if (amountMinor === 0n) return refuse('zero');
  return { ok: true, money: { amountMinor, currency } };
}

/** An amount as a person would type it in their locale ("1234.50", "1234,50"): no grouping, exact. */
export function amountInputText(money: Money, locale: string): string {
  return toDecimalString(money).replace('.', separatorsOf(locale).decimal);
}
