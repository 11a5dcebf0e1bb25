/**
 * Streaming, point-in-time fraud features over interchange rows (docs/ml/features.md). Feed the
 * rows in file order: each row's features come from the state built by the rows before it, and
 * only then is the row added. The label is never read, so no feature can leak it.
 */
import { parseTime } from '../interchange/check.ts';
import type { Transaction } from '../interchange/format.ts';
import { channelFeature, type FeatureName, featureNames } from './catalogue.ts';
import {
  burstWindowMs,
  dayMs,
  dayWindowMs,
  hourMs,
  maxAbsZ,
  maxDevicesPerCustomer,
  maxFanInPerCounterparty,
  maxFanOutPerCustomer,
  maxIncomingPerCustomer,
  maxKnownCounterpartiesPerCustomer,
  maxOutgoingPerCustomer,
  maxTinyCardPerCustomer,
  maxTrackedCounterparties,
  maxTrackedCustomers,
  minAmountSpreadLog,
  shortWindowMs,
  tinyCardAmountMinor,
  weekWindowMs,
} from './constants.ts';
import { LruMap, RecentKeys, TimedSeries } from './windows.ts';

/** Running mean and variance of log amounts (Welford): O(1) memory for the whole history. */
interface AmountStats {
  count: number;
  mean: number;
  m2: number;
}

interface KnownCounterparty {
  bits: number;
  firstSeenMs: number;
}

const paidBit = 1;
const receivedBit = 2;

interface CustomerState {
  rows: number;
  out: AmountStats;
  in: AmountStats;
  maxOutMinor: number;
  outgoing: TimedSeries;
  incoming: TimedSeries;
  tinyCard: TimedSeries;
  payees24h: RecentKeys;
  /** Counterparty → what the customer did with it (bits: paid, received) and since when. */
  known: LruMap<KnownCounterparty>;
  /** Device → first seen (ms). */
  devices: LruMap<number>;
}

interface CounterpartyState {
  firstSeenMs: number;
  payers24h: RecentKeys | null;
  payers7d: RecentKeys | null;
}

/** Everything the features remember, per customer and per counterparty, bounded (constants.ts). */
export class FeatureState {
  readonly customers = new LruMap<CustomerState>(maxTrackedCustomers);
  readonly counterparties = new LruMap<CounterpartyState>(maxTrackedCounterparties);
  /** Time of the last row, to refuse rows out of time order (a caller bug, not bad input). */
  lastTimeMs = Number.NEGATIVE_INFINITY;
}

/** The features of one row, in the order of `names` (= featureNames). */
export interface Features {
  values: Float64Array;
  names: readonly string[];
}

function newCustomer(): CustomerState {
  return {
    rows: 0,
    out: { count: 0, mean: 0, m2: 0 },
    in: { count: 0, mean: 0, m2: 0 },
    maxOutMinor: 0,
    outgoing: new TimedSeries(maxOutgoingPerCustomer),
    incoming: new TimedSeries(maxIncomingPerCustomer),
    tinyCard: new TimedSeries(maxTinyCardPerCustomer),
    payees24h: new RecentKeys(maxFanOutPerCustomer),
    known: new LruMap(maxKnownCounterpartiesPerCustomer),
    devices: new LruMap(maxDevicesPerCustomer),
  };
}

/** log(1 + minor units / 100): amounts in major units, squashed; every currency of the format has two decimals. */
function logMajor(minor: number): number {
  return Math.log1p(minor / 100);
}

/** z of a log amount against the stats; 0 with no history, the spread floored so early rows stay sane. */
function zScore(stats: AmountStats, x: number): number {
  if (stats.count === 0) return 0;
  const spread = Math.max(Math.sqrt(stats.m2 / stats.count), minAmountSpreadLog);
  return Math.max(-maxAbsZ, Math.min(maxAbsZ, (x - stats.mean) / spread));
}

function addToStats(stats: AmountStats, x: number): void {
  stats.count++;
  const delta = x - stats.mean;
  stats.mean += delta / stats.count;
  stats.m2 += delta * (x - stats.mean);
}

function evict(c: CustomerState, nowMs: number): void {
  c.outgoing.evictUpTo(nowMs - weekWindowMs);
  c.incoming.evictUpTo(nowMs - dayWindowMs);
  c.tinyCard.evictUpTo(nowMs - burstWindowMs);
  c.payees24h.evictUpTo(nowMs - dayWindowMs);
}

function evictPayers(p: CounterpartyState, nowMs: number): void {
  p.payers24h?.evictUpTo(nowMs - dayWindowMs);
  p.payers7d?.evictUpTo(nowMs - weekWindowMs);
}

/** The features of `row` from what the (already evicted) state holds of earlier rows. Pure: changes nothing. */
function computeFeatures(
  row: Transaction,
  c: CustomerState,
  p: CounterpartyState | undefined,
  nowMs: number,
): Record<FeatureName, number> {
  const amountMinor = Number(row.amountMinor);
  const out = amountMinor < 0;
  const absMinor = Math.abs(amountMinor);
  const x = logMajor(absMinor);
  const h1 = c.outgoing.since(nowMs - shortWindowMs);
  const h24 = c.outgoing.since(nowMs - dayWindowMs);
  const d7 = c.outgoing.since(nowMs - weekWindowMs);
  const in24 = c.incoming.since(nowMs - dayWindowMs);
  const known = c.known.get(row.counterparty);
  const bits = known?.bits ?? 0;
  const deviceFirstMs = row.device === null ? undefined : c.devices.get(row.device);
  const hour = (((nowMs % dayMs) + dayMs) % dayMs) / hourMs;
  const features: Record<FeatureName, number> = {
    amount_log: x,
    is_money_out: out ? 1 : 0,
    amount_z: zScore(out ? c.out : c.in, x),
    amount_over_max_log: out && c.maxOutMinor > 0 ? Math.log(absMinor / c.maxOutMinor) : 0,
    history_log: Math.log1p(c.rows),
    out_count_1h: h1.count,
    out_sum_1h_log: logMajor(h1.sum),
    out_count_24h: h24.count,
    out_sum_24h_log: logMajor(h24.sum),
    out_count_7d: d7.count,
    out_sum_7d_log: logMajor(d7.sum),
    new_payee: out && (bits & paidBit) === 0 ? 1 : 0,
    new_counterparty: known === undefined ? 1 : 0,
    counterparty_known_log_hours: known === undefined ? 0 : Math.log1p((nowMs - known.firstSeenMs) / hourMs),
    has_device: row.device === null ? 0 : 1,
    new_device: row.device !== null && deviceFirstMs === undefined ? 1 : 0,
    device_age_log_hours: deviceFirstMs === undefined ? 0 : Math.log1p((nowMs - deviceFirstMs) / hourMs),
    hour_sin: Math.sin((2 * Math.PI * hour) / 24),
    hour_cos: Math.cos((2 * Math.PI * hour) / 24),
    counterparty_age_log_days: p === undefined ? 0 : Math.log1p((nowMs - p.firstSeenMs) / dayMs),
    counterparty_fan_in_24h: p?.payers24h?.size ?? 0,
    counterparty_fan_in_7d: p?.payers7d?.size ?? 0,
    fan_out_24h: c.payees24h.size,
    in_count_24h: in24.count,
    credit_in_24h: in24.count > 0 ? 1 : 0,
    in_sum_24h_log: logMajor(in24.sum),
    tiny_card_count_10m: c.tinyCard.size,
    channel_card: 0,
    channel_transfer: 0,
    channel_direct_debit: 0,
    channel_standing_order: 0,
    channel_atm: 0,
  };
  features[channelFeature[row.channel]] = 1;
  return features;
}

/** Adds `row` to the customer's and the counterparties' state, after its features were taken. */
function remember(state: FeatureState, row: Transaction, c: CustomerState, nowMs: number): void {
  const amountMinor = Number(row.amountMinor);
  const absMinor = Math.abs(amountMinor);
  const out = amountMinor < 0;
  c.rows++;
  addToStats(out ? c.out : c.in, logMajor(absMinor));
  const known = c.known.get(row.counterparty) ?? { bits: 0, firstSeenMs: nowMs };
  known.bits |= out ? paidBit : receivedBit;
  c.known.set(row.counterparty, known);
  if (row.device !== null && c.devices.get(row.device) === undefined) c.devices.set(row.device, nowMs);
  const p = sighting(state, row.counterparty, nowMs);
  sighting(state, row.account, nowMs);
  if (out) {
    c.maxOutMinor = Math.max(c.maxOutMinor, absMinor);
    c.outgoing.push(nowMs, absMinor);
    c.payees24h.touch(row.counterparty, nowMs);
    if (row.channel === 'card' && absMinor < tinyCardAmountMinor) c.tinyCard.push(nowMs, absMinor);
    p.payers24h ??= new RecentKeys(maxFanInPerCounterparty);
    p.payers7d ??= new RecentKeys(maxFanInPerCounterparty);
    p.payers24h.touch(row.customer, nowMs);
    p.payers7d.touch(row.customer, nowMs);
  } else {
    c.incoming.push(nowMs, absMinor);
  }
}

/** The counterparty (or account) as seen now: created at its first sighting. */
function sighting(state: FeatureState, id: string, nowMs: number): CounterpartyState {
  let p = state.counterparties.get(id);
  if (p === undefined) {
    p = { firstSeenMs: nowMs, payers24h: null, payers7d: null };
    state.counterparties.set(id, p);
  }
  return p;
}

/**
 * The features of `row` from the rows fed before it, then `row` joins the state. Rows must come in
 * time order (the format's order); an earlier time throws, as it would make the windows lie.
 */
export function extractFeatures(row: Transaction, state: FeatureState): Features {
  const nowMs = parseTime(row.time);
  if (Number.isNaN(nowMs)) throw new Error(`row ${row.id}: time ${row.time} is not a format time`);
  if (nowMs < state.lastTimeMs) throw new Error(`row ${row.id}: time ${row.time} is earlier than the row before`);
  state.lastTimeMs = nowMs;
  let c = state.customers.get(row.customer);
  if (c === undefined) {
    c = newCustomer();
    state.customers.set(row.customer, c);
  }
  evict(c, nowMs);
  const p = state.counterparties.get(row.counterparty);
  if (p !== undefined) evictPayers(p, nowMs);
  const features = computeFeatures(row, c, p, nowMs);
  remember(state, row, c, nowMs);
  const values = new Float64Array(featureNames.length);
  for (const [i, name] of featureNames.entries()) values[i] = features[name as FeatureName];
  return { values, names: featureNames };
}
