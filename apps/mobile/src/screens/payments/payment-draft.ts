/**
 * A payment between the form and the review: what the customer typed (`PaymentDraft`), checked and
 * turned into the order the API receives (`ReviewedPayment`). Pure, so the rules are tested without
 * rendering.
 */
import { ApiProblem } from '@nextgen/api-client';
import type { TFunction } from 'i18next';
import { type Money, toDecimalString } from '../../format/money';
import type { Account } from '../../queries/accounts';
import type { Confirmation, Payee } from '../../queries/payees';
import type { TransferOrder } from '../../queries/transfers';
import { parseAmountInput } from './amount-input';
import { referenceLengthMax } from './limits';
import { parseRecipient } from './recipient';

const controlCharacters = /[\p{Cc}\p{Cf}\p{Cs}]/u;

export interface PaymentDraft {
  readonly fromAccountId: string;
  /** `account:acc_…` or `payee:pye_…`, '' until chosen. */
  readonly recipient: string;
  readonly amountText: string;
  readonly reference: string;
}

export type PaymentField = 'from' | 'to' | 'amount' | 'reference';
export type FieldErrors = Partial<Record<PaymentField, string>>;

export interface ReviewedPayment {
  readonly from: Account;
  readonly to: { readonly name: string; readonly maskedIban: string; readonly confirmation?: Confirmation };
  readonly money: Money;
  readonly reference: string;
  readonly order: TransferOrder;
}

export const emptyDraft = (fromAccountId = ''): PaymentDraft => ({
  fromAccountId,
  recipient: '',
  amountText: '',
  reference: '',
});

/** Accounts that can send or receive: a closed one can do neither. */
export const usableAccounts = (accounts: readonly Account[]) => accounts.filter((a) => a.status !== 'closed');

export function reviewDraft(
  draft: PaymentDraft,
  accounts: readonly Account[],
  payees: readonly Payee[],
  locale: string,
  t: TFunction,
): { ok: true; payment: ReviewedPayment } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const from = accounts.find((a) => a.id === draft.fromAccountId);
  if (!from) errors.from = t('payments.form.fromRequired');
  const recipient = parseRecipient(draft.recipient);
  const toAccount = recipient?.kind === 'account' ? accounts.find((a) => a.id === recipient.id) : undefined;
  const payee = recipient?.kind === 'payee' ? payees.find((p) => p.id === recipient.id) : undefined;
  if (!toAccount && !payee) errors.to = t('payments.form.toRequired');
  const parsed = from ? parseAmountInput(draft.amountText, locale, from.currency) : undefined;
  if (parsed && !parsed.ok) {
    const problem = parsed.problem === 'tooPrecise' && parsed.digits === 0 ? 'wholeOnly' : parsed.problem;
    errors.amount = t(`payments.form.amountProblem.${problem}`, { count: parsed.digits });
  }
  const reference = draft.reference.trim();
  if (reference.length > referenceLengthMax || controlCharacters.test(reference)) {
    errors.reference = t('payments.form.referenceInvalid', { max: referenceLengthMax });
  }
  if (!from || !parsed?.ok || (!toAccount && !payee) || Object.keys(errors).length > 0) return { ok: false, errors };
  const to = toAccount
    ? { name: toAccount.name, maskedIban: toAccount.maskedIban }
    : { name: payee?.name ?? '', maskedIban: payee?.maskedIban ?? '', confirmation: payee?.confirmation };
  const order: TransferOrder = {
    fromAccountId: from.id,
    // A saved payee is paid by its id: the server pays the IBAN saved with it, which the app never sees in full.
    to: toAccount ? { accountId: toAccount.id } : { payeeId: payee?.id ?? '' },
    amount: { amount: toDecimalString(parsed.money), currency: from.currency as TransferOrder['amount']['currency'] },
    ...(reference ? { reference } : {}),
  };
  return { ok: true, payment: { from, to, money: parsed.money, reference, order } };
}

/** Where the API's field pointers land on the form. */
const fieldPointers: readonly [PaymentField, string][] = [
  ['from', '/body/fromAccountId'],
  ['amount', '/body/amount'],
  ['reference', '/body/reference'],
];

/**
 * The API's field problems by form field. A payee deleted since the list loaded (on another device)
 * is `payee_not_found`, without a pointer: it belongs at the recipient choice too.
 */
export function fieldErrorsOf(error: unknown, t: TFunction): FieldErrors {
  if (!(error instanceof ApiProblem)) return {};
  if (error.code === 'payee_not_found') return { to: t('payments.form.payeeGone') };
  const errors: FieldErrors = {};
  for (const [field, pointer] of fieldPointers) {
    const found = error.errorsAt(pointer)[0];
    if (found) errors[field] = found.detail;
  }
  const to = error.errorsAt('/body/to')[0];
  if (to) errors.to = to.detail;
  return errors;
}
