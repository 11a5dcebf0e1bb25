/**
 * The catalogue of problems more than one module answers. Each `code` is built in exactly one source
 * file (problems.test.ts fails otherwise), so a code cannot drift into two meanings or two wordings:
 * a module that needs one of these imports its factory, and a code only one module answers stays
 * beside that module's code. Where the audience differs (a customer, an operator), the factory takes
 * it and words the next step for that reader; the code and the status stay the same.
 */
import {
  badRequest,
  conflict,
  DomainError,
  type FieldProblem,
  forbidden,
  notFound,
  unauthorized,
  unprocessable,
} from './errors.ts';

/** Who reads the answer: the customer about their own things, or an operator about anyone's. */
export type Audience = 'customer' | 'operator';

/** 404: no such account (for a customer: none of theirs, whether it exists or not). */
export function accountNotFound(audience: Audience = 'customer', pointer?: string): DomainError {
  if (audience === 'operator') return notFound('account_not_found', 'No account has this id. Check the account id.');
  const detail = 'No account with this id among your accounts. List yours with GET /api/v1/accounts.';
  const errors = pointer === undefined ? [] : [{ pointer, detail: 'is not one of your accounts' }];
  return new DomainError(404, 'account_not_found', 'Not found', detail, { errors });
}

/**
 * A closed account: 409 when asked to change it (closed is final), 422 when a payment names it
 * (`side` says which party, `errors` where in the request).
 */
export function accountClosed(payment?: { side: 'from' | 'to'; errors: readonly FieldProblem[] }): DomainError {
  if (!payment)
    return conflict(
      'account_closed',
      'This account is closed. Closed accounts cannot be changed or reopened; open a new one.',
    );
  return unprocessable(
    'account_closed',
    payment.side === 'from'
      ? 'Your account is closed; pay from one of your open accounts.'
      : 'The payee account is closed. Choose an open account.',
    { errors: payment.errors, extensions: { side: payment.side } },
  );
}

/**
 * 422: the amount's currency is not the account's. `from`/`to` for a payment's parties (the side is
 * rendered), `credit` for an operator's credit to an account.
 */
export function currencyMismatch(side: 'from' | 'to' | 'credit', pointer: string, accountCurrency: string) {
  const errors = [{ pointer, detail: `must be ${accountCurrency}` }];
  if (side === 'credit')
    return unprocessable(
      'currency_mismatch',
      `The account holds ${accountCurrency}; credit it in ${accountCurrency}.`,
      { errors },
    );
  return unprocessable(
    'currency_mismatch',
    side === 'from'
      ? `Your account holds ${accountCurrency}; send the amount in ${accountCurrency}.`
      : `The payee account holds ${accountCurrency} and can only receive ${accountCurrency}. Pay from an account in that currency.`,
    { errors, extensions: { side } },
  );
}

/** 404: no such customer; for the customer themselves, their own record is gone (erased or removed). */
export const customerNotFound = (audience: Audience = 'operator') =>
  audience === 'customer'
    ? notFound('customer_not_found', 'Your customer record no longer exists. Sign in again.')
    : notFound('customer_not_found', 'No customer has this id. Check the customer id.');

/** 400: a list's `cursor` is not one the API gave out (forged, truncated, or from another list). */
export const invalidCursor = () =>
  badRequest('invalid_cursor', 'The cursor is not one this API issued. Start again without a cursor.', {
    errors: [{ pointer: '/query/cursor', detail: 'is not a valid cursor' }],
  });

/** 422: the Idempotency-Key was used for a different request (payments and back-office requests). */
export const idempotencyKeyReused = () =>
  unprocessable(
    'idempotency_key_reused',
    'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
  );

/**
 * No limit override for this customer and currency: 404 when asked for it, 409 when an approved
 * removal finds that another operator removed it meanwhile.
 */
export const limitOverrideNotFound = (when: 'now' | 'meanwhile' = 'now') =>
  when === 'now'
    ? notFound('limit_override_not_found', 'This customer has no override in this currency.')
    : conflict('limit_override_not_found', 'The override was removed meanwhile; nothing to do.');

/** 409: the KYC verification changed while an operator decided, or after an approval was asked for. */
export const kycChanged = (when: 'deciding' | 'approval' = 'deciding') =>
  conflict(
    'kyc_changed',
    when === 'deciding'
      ? 'This verification changed while you were deciding. Review it again.'
      : 'The verification changed after this request. Review it and ask again.',
  );

/**
 * A customer who is locked, closed or erased. With a token (admission, platform/auth.ts) it is 401
 * with the WWW-Authenticate challenge given; a request for a new product of such a customer is 403.
 */
export function customerInactive(token?: { wwwAuthenticate: string }): DomainError {
  if (token)
    return unauthorized(
      'customer_inactive',
      'This customer account is locked, closed or erased, so its sign-ins no longer work. Contact support.',
      { headers: { 'www-authenticate': token.wwwAuthenticate } },
    );
  return forbidden('customer_inactive', 'Your customer profile is not active. Contact support to reactivate it.');
}

/** What a customer's status is, in the words of a problem: who may do what next. */
export type CustomerStatusName = 'active' | 'locked' | 'closed' | 'erased';

/**
 * 409: the customer's status is not one the action applies to (locking a locked customer, unlocking
 * an active one), or it changed after a four-eyes request was made (`when: 'approval'`).
 */
export const customerStatusConflict = (status: CustomerStatusName | undefined, when: 'now' | 'approval' = 'now') =>
  conflict(
    'customer_status_conflict',
    when === 'approval'
      ? `The customer's status changed after this request (it is ${status ?? 'unknown'} now). Look at the customer again and ask afresh.`
      : `The customer is ${status ?? 'unknown'}, so this action does not apply. Look at the customer's status first.`,
    { extensions: { customerStatus: status ?? null } },
  );

/** 409: the customer still holds accounts that are not closed (erasure, closing the customer). */
export const customerHasOpenAccounts = (openAccounts: number) =>
  conflict(
    'customer_has_open_accounts',
    `The customer still holds ${openAccounts} account(s) that are not closed. Pay out and close every account first; closed accounts and their ledger records are kept.`,
  );

/**
 * 403 at sign-in, shown only once every factor the customer has was right (the password, and their
 * passkey if they hold one), so it tells nothing to someone who does not already hold them (ADR 0105).
 */
export const customerSignInRefused = (status: 'locked' | 'closed') =>
  new DomainError(
    403,
    'customer_inactive',
    'Forbidden',
    status === 'locked'
      ? 'Your access to NextGen is locked by the bank. Contact the bank to have it unlocked; signing in again will not help.'
      : 'Your relationship with the bank has ended, so you can no longer sign in. Contact the bank if you think this is wrong.',
    { extensions: { customerStatus: status } },
  );
