import type { CustomerReason } from './contract.ts';

/**
 * The model's features and the rules, grouped by what a customer may be told about them
 * (docs/adr/0131). Facts about the payee's other customers (how many people paid it, test payments
 * at a shop) are never shown: they are other people's data and a fraudster's tuning signal.
 */
const groups: readonly (readonly [CustomerReason, RegExp])[] = [
  ['unusual_amount', /^(amount_|rule:new_payee_record_amount$|rule:cash_just_under_threshold$)/],
  ['new_device', /^(has_device|new_device|device_age_|rule:new_device_new_payee$)/],
  ['new_payee', /^(new_payee|new_counterparty|counterparty_known_)/],
  ['many_payments', /^(out_count_|out_sum_|fan_out_|rule:many_payments_1h$|rule:fan_out_new_payees$)/],
  ['money_in_then_out', /^(credit_in_|in_count_|in_sum_|cash_in_|rule:cash_out_after_fan_in$)/],
];

/** The customer-safe reason of the first explainable feature or rule; `unusual_activity` otherwise. */
export function customerReasonOf(features: readonly string[]): CustomerReason {
  for (const feature of features) {
    const group = groups.find(([, pattern]) => pattern.test(feature));
    if (group) return group[0];
  }
  return 'unusual_activity';
}

/** The English sentence beside each code (the app shows its own translation of the code). */
export const customerReasonText: Readonly<Record<CustomerReason, string>> = {
  unusual_amount: 'This payment is larger than the payments you usually make.',
  new_payee: 'You have not paid this account before.',
  new_device: 'This payment was made from a device you have not used with us for long.',
  many_payments: 'You have made several payments in a short time.',
  money_in_then_out: 'Money arrived on your account shortly before this payment.',
  unusual_activity: 'This payment looks different from how you usually use your account.',
};
