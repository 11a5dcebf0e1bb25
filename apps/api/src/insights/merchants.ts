import { createHash } from 'node:crypto';
import { normaliseText, type Transaction } from '@nextgen/ml';
import { maskName } from '../platform/masking.ts';
import type { Currency } from '../platform/money.ts';

/**
 * History lines (account_transactions, the accounts module's read model) as the insights code
 * reads them, and as the interchange rows packages/ml works on (docs/ml/interchange-format.md).
 */
export interface Line {
  readonly id: string;
  readonly account_id: string;
  readonly direction: 'credit' | 'debit';
  readonly amount_minor: bigint;
  readonly currency: Currency;
  readonly description: string;
  readonly counterparty_name: string | null;
  readonly counterparty_iban: string | null;
  readonly category: string | null;
  readonly created_at: Date;
}

/**
 * The key a merchant's lines share, and a customer's correction is stored under: a hash of the
 * counterparty's IBAN for a transfer, of the normalised booking text (lower case, no digits, so
 * `CRV*FRESHMART 0423` and `Freshmart` meet) otherwise. Hashed, so neither an IBAN nor a
 * reference a customer typed is kept in the corrections table; 96 bits make a collision between
 * one customer's merchants out of the question.
 */
export function lineMerchantKey(line: Pick<Line, 'description' | 'counterparty_iban'>): string {
  const basis =
    line.counterparty_iban !== null ? `iban:${line.counterparty_iban}` : `text:${normaliseText(line.description)}`;
  return `mk_${createHash('sha256').update(basis).digest('hex').slice(0, 24)}`;
}

/**
 * What the customer is shown as the other side: a person's name masked as on transfers ("J*** D**"),
 * a card merchant's booking text as it is (a shop's name is not personal data).
 */
export function displayName(line: Pick<Line, 'description' | 'counterparty_name' | 'direction'>): string {
  if (line.counterparty_name !== null && line.counterparty_name.trim() !== '') return maskName(line.counterparty_name);
  const text = line.description.trim();
  if (text !== '') return text.slice(0, 140);
  return line.direction === 'credit' ? 'Money in' : 'Card payment';
}

/**
 * The line as an interchange row. The history keeps no merchant category code or channel: a debit
 * without a counterparty IBAN went to card clearing (a card payment), everything else is a transfer.
 */
export function toInterchange(line: Line, customerId: string): Transaction {
  const channel = line.counterparty_iban === null && line.direction === 'debit' ? 'card' : 'transfer';
  return {
    v: 1,
    id: line.id,
    time: line.created_at.toISOString(),
    customer: customerId,
    account: line.account_id,
    counterparty: lineMerchantKey(line),
    counterpartyName: displayName(line),
    amountMinor: (line.direction === 'debit' ? -line.amount_minor : line.amount_minor).toString(),
    currency: line.currency,
    channel,
    device: null,
    mcc: null,
    description: line.description,
    label: null,
  };
}
