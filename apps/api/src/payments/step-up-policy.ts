import { type StepUpChallenge, stepUpRequired } from '../identity/index.ts';
import { type Currency, currencies, currencyExponents, formatAmount } from '../platform/money.ts';

/**
 * When a transfer needs the customer's passkey approval (strong customer authentication with dynamic
 * linking, PSD2 RTS art. 4-5; docs/adr/0024). Pure: the transfer path gathers the facts, this decides.
 *
 * Exempt: transfers between the customer's own accounts (RTS art. 15). Otherwise step-up when
 * - the amount is above STEP_UP_THRESHOLD in the transfer's currency (RTS art. 16 lets small
 *   payments go without; the bank chooses the amount),
 * - the payee account was never paid by this customer before (a first payment to a new payee, where
 *   most authorised-push-payment fraud happens; STEP_UP_NEW_PAYEE can switch this rule off), or
 * - the risk check asked for it.
 */
export type StepUpReason = 'amount_above_threshold' | 'new_payee' | 'risk_flagged';

export interface StepUpRules {
  /** Largest amount per currency, in minor units, that goes without approval. */
  readonly thresholdMinor: Readonly<Record<Currency, bigint>>;
  readonly newPayee: boolean;
}

/** The threshold "500.00" in each currency's minor units; extra decimals are cut (stricter, never looser). */
export function stepUpRules(config: { stepUpThreshold: string; stepUpNewPayee: boolean }): StepUpRules {
  const [whole = '0', fraction = ''] = config.stepUpThreshold.split('.');
  const thresholdMinor = Object.fromEntries(
    currencies.map((currency) => {
      const exponent = currencyExponents[currency];
      const digits = `${whole}${fraction.padEnd(exponent, '0').slice(0, exponent)}`;
      return [currency, BigInt(digits)];
    }),
  ) as Record<Currency, bigint>;
  return { thresholdMinor, newPayee: config.stepUpNewPayee };
}

/** The reasons known without a database read; `new_payee` needs one, so the caller asks only when these are none. */
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
 * What the customer approves: the amount, currency and payee account. The step-up challenge commits
 * to exactly these, so an approval for 10.00 to one IBAN cannot approve 1000.00 or another IBAN.
 */
export function paymentBinding(amountMinor: bigint, currency: Currency, payeeIban: string) {
  return { amount: formatAmount(amountMinor, currency), currency, payeeIban };
}

/** 403 with the challenge to sign; not stored under the Idempotency-Key, so the resubmission with it posts. */
export const paymentStepUpRequired = (challenge: StepUpChallenge) =>
  stepUpRequired(
    'Approve this payment with one of your passkeys: sign `stepUp.publicKey` (navigator.credentials.get), then send the same request again with the same Idempotency-Key and `stepUp: { challengeId, assertion }` in the body.',
    challenge,
  );
