/**
 * The transaction interchange format, version 1 (docs/ml/interchange-format.md, ADR 0128): JSON
 * Lines, one booked transaction of one customer's account a line, in time order. It is the raw
 * record a bank's ledger and card processor would hand over, nothing derived: features (is the payee
 * new, the amount unusual for this customer) are computed from it by the feature code, so the same
 * code runs on synthetic and on real data.
 */

export const formatVersion = 1;

/** How the money moved. Closed in version 1: a new value is a new version (ADR 0128). */
export const channels = ['card', 'transfer', 'direct_debit', 'standing_order', 'atm'] as const;
export type Channel = (typeof channels)[number];

/** The labelled fraud scenarios, each with the roles its transactions play. */
export const scenarioRoles = {
  /** A fraudster signs in on a new device, adds a new payee and empties the account. */
  account_takeover: ['probe', 'cash_out'],
  /** A stolen card number is tried with tiny purchases within minutes, then used for real. */
  card_testing: ['probe', 'cash_out'],
  /** The account collects many incoming transfers, then passes the money on. */
  mule: ['fan_in', 'fan_out'],
  /** Authorised push payment: the customer, deceived, pays a new payee from their own device. */
  app_scam: ['payment'],
  /** Cash paid in over days in amounts just under the reporting threshold. */
  structuring: ['deposit'],
} as const satisfies Record<string, readonly string[]>;

export type Scenario = keyof typeof scenarioRoles;
export const scenarios = Object.keys(scenarioRoles) as Scenario[];
export type Role = (typeof scenarioRoles)[Scenario][number];

/** A row that belongs to a fraud case: which scenario, which instance of it, and what part it plays. */
export interface FraudLabel {
  scenario: Scenario;
  /** Groups the rows of one instance of the scenario (one victim, one attack). */
  case: string;
  role: Role;
}

/**
 * One booked transaction, exactly as it is written to a line (field order of the writer).
 * `label` absent: nobody knows (real data); `null`: known legitimate; an object: fraud.
 */
export interface Transaction {
  v: typeof formatVersion;
  id: string;
  /** UTC, ISO 8601 with `Z`, e.g. `2026-01-05T17:42:09Z`. */
  time: string;
  customer: string;
  account: string;
  /** The other side: an account (ours or another bank's), a merchant, an ATM. */
  counterparty: string;
  counterpartyName: string;
  /** Signed integer of minor units as a string: negative is money out of `account`. Never zero. */
  amountMinor: string;
  currency: string;
  channel: Channel;
  /** The customer's device that initiated it (app transfers), or null (card, direct debit, incoming). */
  device: string | null;
  /** ISO 18245 merchant category code, four digits; required for card and atm rows. */
  mcc: string | null;
  description: string;
  label?: FraudLabel | null;
}

/** The fields of a line, in the order the writer puts them. */
export const fieldOrder = [
  'v',
  'id',
  'time',
  'customer',
  'account',
  'counterparty',
  'counterpartyName',
  'amountMinor',
  'currency',
  'channel',
  'device',
  'mcc',
  'description',
  'label',
] as const satisfies readonly (keyof Transaction)[];
