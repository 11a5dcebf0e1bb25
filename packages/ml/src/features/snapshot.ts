/**
 * The one place the fraud features are computed. A `FeatureSnapshot` is everything the features
 * need about one transaction and what came before it; `featureVector` turns it into the model's
 * input. The offline extractor (extractor.ts) builds snapshots from its in-memory state, the API
 * builds them from the ledger and its velocity counters: both call this function, so training and
 * serving cannot drift apart.
 */
import type { Channel } from '../interchange/format.ts';
import { channelFeature, type FeatureName, featureNames } from './catalogue.ts';
import { cardGapCapMs, dayMs, hourMs, maxAbsZ, minAmountSpreadLog } from './constants.ts';

/** Log-amount statistics (Welford) of one direction of a customer's earlier transactions. */
export interface AmountStats {
  readonly count: number;
  readonly mean: number;
  readonly m2: number;
}

/** Count and sum (minor units, absolute) of a customer's transactions in a trailing window. */
export interface WindowTotals {
  readonly count: number;
  readonly sumMinor: number;
}

/**
 * Everything the fraud features need to know about one transaction and what came before it
 * (strictly before: the transaction itself is not in any of these).
 */
export interface FeatureSnapshot {
  /** The transaction's time, ms since epoch (UTC). */
  readonly timeMs: number;
  /** Signed: negative = money out of the account. */
  readonly amountMinor: number;
  readonly channel: Channel;
  /** The initiating device: null when none (card, direct debit, incoming); firstSeenMs null = never seen before on this customer. */
  readonly device: { readonly firstSeenMs: number | null } | null;
  readonly history: {
    /** Number of earlier transactions of the customer, all time. */
    readonly rows: number;
    /** Over log1p(|amountMinor| / 100) of earlier money-out rows. */
    readonly out: AmountStats;
    /** The same for money-in rows. */
    readonly in: AmountStats;
    /** Largest earlier money-out, absolute minor units (0 if none). */
    readonly maxOutMinor: number;
  };
  /** Earlier money-out in the hour before timeMs. */
  readonly out1h: WindowTotals;
  readonly out24h: WindowTotals;
  readonly out7d: WindowTotals;
  /** Earlier money-in in the 24 h before timeMs. */
  readonly in24h: WindowTotals;
  readonly counterparty: {
    /** When THIS customer first dealt with it (either direction); null = never. */
    readonly knownSinceMs: number | null;
    /** This customer has paid it before. */
    readonly paidBefore: boolean;
    /** When anyone at the bank first dealt with it; null = never. */
    readonly firstSeenAtBankMs: number | null;
    /** Distinct customers who paid it in the last 24 h. */
    readonly fanIn24h: number;
    /** … 7 d. */
    readonly fanIn7d: number;
    /** Card payments out of under 1.00 (tinyCardAmountMinor) to it by anyone at the bank in the last 24 h: a shop under a card-testing attack. */
    readonly tinyCard24h: number;
  };
  /** Distinct payees this customer paid in the last 24 h. */
  readonly fanOut24h: number;
  /** Card payments under 1.00 by this customer in the last 10 minutes. */
  readonly tinyCard10m: number;
  /** Card payments under 2.00 (smallCardAmountMinor) by this customer in the last 10 minutes: probes go up to 1.99. */
  readonly smallCard10m: number;
  /** Card payments under 1.00 by this customer in the last 30 days: a habit of micro-payments, or none. */
  readonly tinyCard30d: number;
  /** Cash paid in (cash deposits) by this customer in the 28 days before timeMs. */
  readonly cashIn28d: WindowTotals;
  /** Distinct accounts that paid money into this customer's account (transfers in, not cash or card refunds) in the last 7 days. */
  readonly inPayers7d: number;
  /**
   * Time of this customer's previous card payment out, ms; null = none. One older than cardGapCapMs
   * gives the same feature as none, so a builder may look back only that far.
   */
  readonly lastCardMs: number | null;
}

/** log(1 + minor units / 100): amounts in major units, squashed; every currency of the format has two decimals. */
export function logMajor(minor: number): number {
  return Math.log1p(minor / 100);
}

/** z of a log amount against the stats; 0 with no history, the spread floored so early rows stay sane. */
function zScore(stats: AmountStats, x: number): number {
  if (stats.count === 0) return 0;
  const spread = Math.max(Math.sqrt(stats.m2 / stats.count), minAmountSpreadLog);
  return Math.max(-maxAbsZ, Math.min(maxAbsZ, (x - stats.mean) / spread));
}

const logHoursSince = (nowMs: number, sinceMs: number | null): number =>
  sinceMs === null ? 0 : Math.log1p((nowMs - sinceMs) / hourMs);

/** log1p of the seconds since the previous card payment, capped at cardGapCapMs (also when there is none). */
const cardGapLogSeconds = (nowMs: number, lastCardMs: number | null): number =>
  Math.log1p(Math.min(lastCardMs === null ? cardGapCapMs : nowMs - lastCardMs, cardGapCapMs) / 1000);

/** The features by name. Pure. */
function featuresOf(s: FeatureSnapshot): Record<FeatureName, number> {
  const out = s.amountMinor < 0;
  const absMinor = Math.abs(s.amountMinor);
  const x = logMajor(absMinor);
  const cp = s.counterparty;
  const deviceFirstMs = s.device?.firstSeenMs ?? null;
  const hour = (((s.timeMs % dayMs) + dayMs) % dayMs) / hourMs;
  const features: Record<FeatureName, number> = {
    amount_log: x,
    is_money_out: out ? 1 : 0,
    amount_z: zScore(out ? s.history.out : s.history.in, x),
    amount_over_max_log: out && s.history.maxOutMinor > 0 ? Math.log(absMinor / s.history.maxOutMinor) : 0,
    history_log: Math.log1p(s.history.rows),
    out_count_1h: s.out1h.count,
    out_sum_1h_log: logMajor(s.out1h.sumMinor),
    out_count_24h: s.out24h.count,
    out_sum_24h_log: logMajor(s.out24h.sumMinor),
    out_count_7d: s.out7d.count,
    out_sum_7d_log: logMajor(s.out7d.sumMinor),
    new_payee: out && !cp.paidBefore ? 1 : 0,
    new_counterparty: cp.knownSinceMs === null ? 1 : 0,
    counterparty_known_log_hours: logHoursSince(s.timeMs, cp.knownSinceMs),
    has_device: s.device === null ? 0 : 1,
    new_device: s.device !== null && s.device.firstSeenMs === null ? 1 : 0,
    device_age_log_hours: logHoursSince(s.timeMs, deviceFirstMs),
    hour_sin: Math.sin((2 * Math.PI * hour) / 24),
    hour_cos: Math.cos((2 * Math.PI * hour) / 24),
    counterparty_age_log_days:
      cp.firstSeenAtBankMs === null ? 0 : Math.log1p((s.timeMs - cp.firstSeenAtBankMs) / dayMs),
    counterparty_fan_in_24h: cp.fanIn24h,
    counterparty_fan_in_7d: cp.fanIn7d,
    fan_out_24h: s.fanOut24h,
    in_count_24h: s.in24h.count,
    credit_in_24h: s.in24h.count > 0 ? 1 : 0,
    in_sum_24h_log: logMajor(s.in24h.sumMinor),
    tiny_card_count_10m: s.tinyCard10m,
    channel_card: 0,
    channel_transfer: 0,
    channel_direct_debit: 0,
    channel_standing_order: 0,
    channel_atm: 0,
    cash_in_count_28d: s.cashIn28d.count,
    cash_in_sum_28d_log: logMajor(s.cashIn28d.sumMinor),
    tiny_card_count_30d: s.tinyCard30d,
    counterparty_tiny_card_24h: cp.tinyCard24h,
    in_payers_7d: s.inPayers7d,
    small_card_count_10m: s.smallCard10m,
    card_gap_log_seconds: cardGapLogSeconds(s.timeMs, s.lastCardMs),
  };
  features[channelFeature[s.channel]] = 1;
  return features;
}

/** The model's input for one transaction, in `featureNames` order. Pure and deterministic. */
export function featureVector(snapshot: FeatureSnapshot): Float64Array {
  const features = featuresOf(snapshot);
  const values = new Float64Array(featureNames.length);
  for (const [i, name] of featureNames.entries()) values[i] = features[name as FeatureName];
  return values;
}
