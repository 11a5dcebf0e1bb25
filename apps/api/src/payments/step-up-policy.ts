import { type StepUpChallenge, stepUpRequired } from '../identity/index.ts';
import { stepUpCumulativeWindowMs, stepUpThresholdDefaults } from '../platform/constants.ts';
import { type Currency, currencies, currencyExponents, formatAmount, isCurrency } from '../platform/money.ts';

/**
 * When a transfer needs the customer's passkey approval (strong customer authentication with dynamic
 * linking, PSD2 RTS art. 4-5; docs/adr/0024). Pure: the transfer path gathers the facts, this decides.
 *
 * Exempt: transfers between the customer's own accounts (RTS art. 15). Otherwise step-up when
 * - the amount is above STEP_UP_THRESHOLD in the transfer's currency (RTS art. 16 lets small
 *   payments go without; the bank chooses the amount, per currency: 500 KWD is not 500 EUR),
 * - the customer's payments to others that went without approval in the last
 *   stepUpCumulativeWindowMs, plus this one, come to more than that threshold (so splitting a
 *   payment under the threshold does not avoid approval; threat model R12; STEP_UP_CUMULATIVE),
 * - the payee account was never paid by this customer before (a first payment to a new payee, where
 *   most authorised-push-payment fraud happens; STEP_UP_NEW_PAYEE can switch this rule off), or
 * - the risk check asked for it.
 */
export type StepUpReason = 'amount_above_threshold' | 'cumulative_above_threshold' | 'new_payee' | 'risk_flagged';

export interface StepUpRules {
  /** Largest amount per currency, in minor units, that goes without approval. */
  readonly thresholdMinor: Readonly<Record<Currency, bigint>>;
  readonly newPayee: boolean;
  /** Whether the cumulative rule (unapproved payments in the window plus this one) applies. */
  readonly cumulative: boolean;
}

/** A decimal in a currency's minor units; extra decimals are cut (stricter, never looser). */
function minorUnits(decimal: string, currency: Currency): bigint {
  const [whole = '0', fraction = ''] = decimal.split('.');
  const exponent = currencyExponents[currency];
  return BigInt(`${whole}${fraction.padEnd(exponent, '0').slice(0, exponent)}`);
}

/**
 * STEP_UP_THRESHOLD, as config.ts validated it: `CUR:amount` pairs ("EUR:500.00,KWD:150.000") over
 * the per-currency defaults (platform/constants.ts stepUpThresholdDefaults), or one bare amount for
 * every currency in its major unit ("0": always ask; a huge one: never, for benchmarks).
 */
export function stepUpThresholds(raw: string | undefined): Record<Currency, bigint> {
  const text = raw?.trim() ?? '';
  if (text !== '' && !text.includes(':'))
    return Object.fromEntries(currencies.map((c) => [c, minorUnits(text, c)])) as Record<Currency, bigint>;
  const thresholds = Object.fromEntries(
    currencies.map((c) => [c, minorUnits(stepUpThresholdDefaults[c], c)]),
  ) as Record<Currency, bigint>;
  for (const entry of text === '' ? [] : text.split(',')) {
    const [currency = '', amount = ''] = entry.trim().split(':');
    if (isCurrency(currency)) thresholds[currency] = minorUnits(amount, currency);
  }
  return thresholds;
}

export function stepUpRules(config: {
  stepUpThreshold: string;
  stepUpNewPayee: boolean;
  stepUpCumulative?: boolean;
}): StepUpRules {
  return {
    thresholdMinor: stepUpThresholds(config.stepUpThreshold),
    newPayee: config.stepUpNewPayee,
    cumulative: config.stepUpCumulative ?? true,
  };
}

/**
 * The cumulative rule against splitting (threat model R12), as payments_post reads it (migration
 * 0080, docs/adr/0095): what the customer paid others without an approval within the window, plus
 * this payment, above the threshold asks for approval. It is decided there, under a lock per
 * customer and currency, because concurrent payments read apart from their posting could each
 * pass it and together not (ADR 0076). Decimal strings, so no JSON number rounds them.
 */
export interface CumulativeCheck {
  readonly customerId: string;
  readonly currency: Currency;
  readonly amountMinor: string;
  readonly thresholdMinor: string;
  readonly windowMs: number;
}

export function cumulativeCheck(
  rules: StepUpRules,
  payment: { customerId: string; amountMinor: bigint; currency: Currency },
): CumulativeCheck {
  return {
    customerId: payment.customerId,
    currency: payment.currency,
    amountMinor: payment.amountMinor.toString(),
    thresholdMinor: rules.thresholdMinor[payment.currency].toString(),
    windowMs: stepUpCumulativeWindowMs,
  };
}

/**
 * The reasons known without a database read; `new_payee` needs one, so the caller asks only when
 * these are none, and `cumulative_above_threshold` is payments_post's to decide (cumulativeCheck).
 */
export function stepUpReasonsBeforeLookup(
  rules: StepUpRules,
  transfer: { toOwnAccount: boolean; amountMinor: bigint; currency: Currency; riskWantsStepUp: boolean },
): StepUpReason[] | 'exempt' {
  if (transfer.toOwnAccount) return 'exempt';
  const reasons: StepUpReason[] = [];
  if (transfer.amountMinor > rules.thresholdMinor[transfer.currency]) reasons.push('amount_above_threshold');
  if (transfer.riskWantsStepUp) reasons.push('risk_flagged');
  return reasons;
}

/**
 * What the customer approves: the amount, currency, payee account and the account debited. The
 * step-up challenge commits to exactly these, so an approval for 10.00 to one IBAN from one account
 * cannot approve 1000.00, another IBAN, or the same payment from another of the customer's accounts.
 */
export function paymentBinding(amountMinor: bigint, currency: Currency, payeeIban: string, fromAccountId: string) {
  return { amount: formatAmount(amountMinor, currency), currency, payeeIban, fromAccountId };
}

/** 403 with the challenge to sign; not stored under the Idempotency-Key, so the resubmission with it posts. */
export const paymentStepUpRequired = (challenge: StepUpChallenge) =>
  stepUpRequired(
    'Approve this payment with one of your passkeys: sign `stepUp.publicKey` (navigator.credentials.get), then send the same request again with the same Idempotency-Key and `stepUp: { challengeId, assertion }` in the body.',
    challenge,
  );
