/**
 * The fraud features, in the fixed order of `extractFeatures`' values, each with the plain words
 * that explain it to a customer or to the back office. Adding a feature appends it here: a model
 * artifact records the names it was trained on, so the order is a contract.
 */
import type { Channel } from '../interchange/format.ts';

const described = {
  amount_log: 'How large the amount is (logarithm of the amount in major units, either direction).',
  is_money_out: 'Whether money is leaving the account (1) or arriving (0).',
  amount_z:
    "How unusual the amount is against this customer's own earlier amounts in the same direction (0: typical, 3: far larger than usual).",
  amount_over_max_log:
    'How this payment compares with the largest one the customer ever sent before (above 0: larger than ever).',
  history_log: 'How much history the customer has here (logarithm of the number of earlier transactions).',
  out_count_1h: 'How many payments the customer made in the hour before this one.',
  out_sum_1h_log: 'How much the customer paid out in the hour before this one (logarithm).',
  out_count_24h: 'How many payments the customer made in the 24 hours before this one.',
  out_sum_24h_log: 'How much the customer paid out in the 24 hours before this one (logarithm).',
  out_count_7d: 'How many payments the customer made in the 7 days before this one.',
  out_sum_7d_log: 'How much the customer paid out in the 7 days before this one (logarithm).',
  new_payee: 'Whether this is a payment to someone the customer has never paid before.',
  new_counterparty: 'Whether the customer has never dealt with this counterparty before, paying or being paid.',
  counterparty_known_log_hours:
    'How long ago the customer first dealt with this counterparty (logarithm of hours; 0 the first time): a payee added minutes ago is a warning sign.',
  has_device: 'Whether the transaction was started from one of the customer’s devices (in the app).',
  new_device: 'Whether the transaction came from a device never seen on this customer’s account before.',
  device_age_log_hours: 'How long the device has been known on this account (logarithm of hours; 0 for a new device).',
  hour_sin: 'Time of day (UTC), as the sine of the hour on a 24-hour circle.',
  hour_cos: 'Time of day (UTC), as the cosine of the hour on a 24-hour circle.',
  counterparty_age_log_days:
    'How long the counterparty has been seen at the bank at all (logarithm of days; 0 if never seen before).',
  counterparty_fan_in_24h: 'How many different customers paid this counterparty in the last 24 hours.',
  counterparty_fan_in_7d: 'How many different customers paid this counterparty in the last 7 days.',
  fan_out_24h: 'How many different payees the customer paid in the last 24 hours.',
  in_count_24h: 'How many payments the customer received in the last 24 hours.',
  credit_in_24h:
    'Whether money arrived on the account in the 24 hours before this transaction (money in, then out fast).',
  in_sum_24h_log: 'How much money arrived on the account in the 24 hours before this transaction (logarithm).',
  tiny_card_count_10m: 'How many card payments under 1.00 the customer made in the 10 minutes before this one.',
  channel_card: 'Whether it is a card payment.',
  channel_transfer: 'Whether it is a transfer.',
  channel_direct_debit: 'Whether it is a direct debit.',
  channel_standing_order: 'Whether it is a standing order.',
  channel_atm: 'Whether it is a cash machine withdrawal or deposit.',
  cash_in_count_28d: 'How many cash deposits the customer made in the 4 weeks before this transaction.',
  cash_in_sum_28d_log: 'How much cash the customer paid in over the 4 weeks before this transaction (logarithm).',
  tiny_card_count_30d:
    'How many card payments under 1.00 the customer made in the 30 days before (most customers make none).',
  counterparty_tiny_card_24h:
    'How many card payments under 1.00 anyone at the bank made to this shop or payee in the last 24 hours: a shop where stolen cards are being tried.',
  in_payers_7d: 'How many different people or accounts paid money into the account in the last 7 days.',
  small_card_count_10m: 'How many card payments under 2.00 the customer made in the 10 minutes before this one.',
  card_gap_log_seconds:
    'How long since the customer’s previous card payment (logarithm of seconds, up to a month): card payments seconds apart are a warning sign.',
} as const satisfies Record<string, string>;

export type FeatureName = keyof typeof described;

/** The one-hot feature of each channel. */
export const channelFeature = {
  card: 'channel_card',
  transfer: 'channel_transfer',
  direct_debit: 'channel_direct_debit',
  standing_order: 'channel_standing_order',
  atm: 'channel_atm',
} as const satisfies Record<Channel, FeatureName>;

/** The names, in the order of the values. */
export const featureNames: readonly string[] = Object.freeze(Object.keys(described));

const index = new Map(featureNames.map((name, i) => [name, i]));

/** Position of a feature in the values; throws for an unknown name (a programmer error). */
export function featureIndex(name: string): number {
  const i = index.get(name);
  if (i === undefined) throw new Error(`no feature named ${name}`);
  return i;
}

/** The feature in plain words; throws for an unknown name. */
export function describeFeature(name: string): string {
  featureIndex(name);
  return (described as Record<string, string>)[name] as string;
}
