import { badRequest } from './errors.ts';
import { type Currency, parsePositiveAmount } from './money.ts';

/**
 * Parses a client's `{ amount, currency }` into minor units; each way it can be wrong has its own
 * code and points at /body/…/amount. A leading minus is "not positive", not "malformed": that is
 * what the client meant and what they need to fix.
 */
export function parseAmountInput(text: string, currency: Currency, pointer: string): bigint {
  const negative = /^-/.test(text);
  const parsed = parsePositiveAmount(negative ? text.slice(1) : text, currency);
  const fail = (code: string, detail: string, fieldDetail: string) =>
    badRequest(code, detail, { errors: [{ pointer, detail: fieldDetail }] });
  if (negative && parsed !== 'malformed') {
    throw fail('amount_not_positive', 'The amount must be greater than zero.', 'must be greater than zero');
  }
  switch (parsed) {
    case 'malformed':
      throw fail(
        'amount_malformed',
        'Write the amount as a decimal string such as "12.34": digits, an optional point and decimals, no sign or spaces.',
        'must be a decimal string like "12.34"',
      );
    case 'too_precise':
      throw fail(
        'amount_too_precise',
        `${currency} amounts have at most the currency's minor-unit decimals. Round the amount.`,
        `has more decimals than ${currency} allows`,
      );
    case 'not_positive':
      throw fail('amount_not_positive', 'The amount must be greater than zero.', 'must be greater than zero');
    case 'too_large':
      throw fail('amount_too_large', 'The amount is larger than any single payment we accept.', 'is too large');
    default:
      return parsed;
  }
}
