/**
 * Streaming, point-in-time fraud features over interchange rows (docs/ml/features.md). Feed the
 * rows in file order: each row's features come from the state built by the rows before it, and
 * only then is the row added. The label is never read, so no feature can leak it.
 */
import { parseTime } from '../interchange/check.ts';
import type { Transaction } from '../interchange/format.ts';
import { featureNames } from './catalogue.ts';
import {
  burstWindowMs,
  cashInWindowMs,
  dayWindowMs,
  maxCashInPerCustomer,
  maxDevicesPerCustomer,
  maxFanInPerCounterparty,
  maxFanOutPerCustomer,
  maxIncomingPerCustomer,
  maxKnownCounterpartiesPerCustomer,
  maxOutgoingPerCustomer,
  maxPayersInPerCustomer,
  maxSmallCardPerCustomer,
  maxTinyCardPerCounterparty,
  maxTinyCardPerCustomer,
  maxTrackedCounterparties,
  maxTrackedCustomers,
  shortWindowMs,
  smallCardAmountMinor,
  tinyCardAmountMinor,
  tinyCardHabitWindowMs,
  weekWindowMs,
} from './constants.ts';
import { type FeatureSnapshot, featureVector, logMajor, type WindowTotals } from './snapshot.ts';
import { LruMap, RecentKeys, TimedSeries } from './windows.ts';

/** Running mean and variance of log amounts (Welford): O(1) memory for the whole history. */
interface RunningStats {
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
  out: RunningStats;
  in: RunningStats;
  maxOutMinor: number;
  outgoing: TimedSeries;
  incoming: TimedSeries;
  /** Card payments out under tinyCardAmountMinor, 30 d (the 10-minute burst is its newest part). */
  tinyCard: TimedSeries;
  /** Card payments out under smallCardAmountMinor, 10 minutes. */
  smallCard: TimedSeries;
  /** Cash deposits (ATM money in), 28 d. */
  cashIn: TimedSeries;
  /** Accounts that paid money in by transfer or standing order, 7 d. */
  payersIn7d: RecentKeys;
  lastCardMs: number | null;
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
  /** Tiny card payments to it by anyone, 24 h; null until the first. */
  tinyCard24h: TimedSeries | null;
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
    smallCard: new TimedSeries(maxSmallCardPerCustomer),
    cashIn: new TimedSeries(maxCashInPerCustomer),
    payersIn7d: new RecentKeys(maxPayersInPerCustomer),
    lastCardMs: null,
    payees24h: new RecentKeys(maxFanOutPerCustomer),
    known: new LruMap(maxKnownCounterpartiesPerCustomer),
    devices: new LruMap(maxDevicesPerCustomer),
  };
}

function addToStats(stats: RunningStats, x: number): void {
  stats.count++;
  const delta = x - stats.mean;
  stats.mean += delta / stats.count;
  stats.m2 += delta * (x - stats.mean);
}

function evict(c: CustomerState, nowMs: number): void {
  c.outgoing.evictUpTo(nowMs - weekWindowMs);
  c.incoming.evictUpTo(nowMs - dayWindowMs);
  c.tinyCard.evictUpTo(nowMs - tinyCardHabitWindowMs);
  c.smallCard.evictUpTo(nowMs - burstWindowMs);
  c.cashIn.evictUpTo(nowMs - cashInWindowMs);
  c.payersIn7d.evictUpTo(nowMs - weekWindowMs);
  c.payees24h.evictUpTo(nowMs - dayWindowMs);
}

function evictPayers(p: CounterpartyState, nowMs: number): void {
  p.payers24h?.evictUpTo(nowMs - dayWindowMs);
  p.payers7d?.evictUpTo(nowMs - weekWindowMs);
  p.tinyCard24h?.evictUpTo(nowMs - dayWindowMs);
}

/** What the (already evicted) state holds of the rows before `row`. Changes only the LRU order. */
function snapshotOf(
  row: Transaction,
  c: CustomerState,
  p: CounterpartyState | undefined,
  nowMs: number,
): FeatureSnapshot {
  const known = c.known.get(row.counterparty);
  const totals = (series: TimedSeries, spanMs: number): WindowTotals => {
    const { count, sum } = series.since(nowMs - spanMs);
    return { count, sumMinor: sum };
  };
  return {
    timeMs: nowMs,
    amountMinor: Number(row.amountMinor),
    channel: row.channel,
    device: row.device === null ? null : { firstSeenMs: c.devices.get(row.device) ?? null },
    // Copies: the running stats change when the row joins the state, the snapshot must not.
    history: { rows: c.rows, out: { ...c.out }, in: { ...c.in }, maxOutMinor: c.maxOutMinor },
    out1h: totals(c.outgoing, shortWindowMs),
    out24h: totals(c.outgoing, dayWindowMs),
    out7d: totals(c.outgoing, weekWindowMs),
    in24h: totals(c.incoming, dayWindowMs),
    counterparty: {
      knownSinceMs: known?.firstSeenMs ?? null,
      paidBefore: ((known?.bits ?? 0) & paidBit) !== 0,
      firstSeenAtBankMs: p?.firstSeenMs ?? null,
      fanIn24h: p?.payers24h?.size ?? 0,
      fanIn7d: p?.payers7d?.size ?? 0,
      tinyCard24h: p?.tinyCard24h?.size ?? 0,
    },
    fanOut24h: c.payees24h.size,
    tinyCard10m: c.tinyCard.since(nowMs - burstWindowMs).count,
    smallCard10m: c.smallCard.size,
    tinyCard30d: c.tinyCard.size,
    cashIn28d: totals(c.cashIn, cashInWindowMs),
    inPayers7d: c.payersIn7d.size,
    lastCardMs: c.lastCardMs,
  };
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
    if (row.channel === 'card') rememberCard(c, p, absMinor, nowMs);
    p.payers24h ??= new RecentKeys(maxFanInPerCounterparty);
    p.payers7d ??= new RecentKeys(maxFanInPerCounterparty);
    p.payers24h.touch(row.customer, nowMs);
    p.payers7d.touch(row.customer, nowMs);
  } else {
    c.incoming.push(nowMs, absMinor);
    if (row.channel === 'atm') c.cashIn.push(nowMs, absMinor);
    // Account-to-account money in: what a bank sees as a credit from an IBAN (not cash, not a card refund).
    if (row.channel === 'transfer' || row.channel === 'standing_order') c.payersIn7d.touch(row.counterparty, nowMs);
  }
}

/** A card payment out: the customer's tiny and small card windows, its time, and the merchant's tiny ones. */
function rememberCard(c: CustomerState, p: CounterpartyState, absMinor: number, nowMs: number): void {
  c.lastCardMs = nowMs;
  if (absMinor < smallCardAmountMinor) c.smallCard.push(nowMs, absMinor);
  if (absMinor < tinyCardAmountMinor) {
    c.tinyCard.push(nowMs, absMinor);
    p.tinyCard24h ??= new TimedSeries(maxTinyCardPerCounterparty);
    p.tinyCard24h.push(nowMs, absMinor);
  }
}

/** The counterparty (or account) as seen now: created at its first sighting. */
function sighting(state: FeatureState, id: string, nowMs: number): CounterpartyState {
  let p = state.counterparties.get(id);
  if (p === undefined) {
    p = { firstSeenMs: nowMs, payers24h: null, payers7d: null, tinyCard24h: null };
    state.counterparties.set(id, p);
  }
  return p;
}

/**
 * The snapshot of `row` from the rows fed before it, then `row` joins the state. Rows must come in
 * time order (the format's order); an earlier time throws, as it would make the windows lie.
 */
export function extractSnapshot(row: Transaction, state: FeatureState): FeatureSnapshot {
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
  const snapshot = snapshotOf(row, c, p, nowMs);
  remember(state, row, c, nowMs);
  return snapshot;
}

/** The features of `row` from the rows fed before it (`featureVector` of its snapshot), then `row` joins the state. */
export function extractFeatures(row: Transaction, state: FeatureState): Features {
  return { values: featureVector(extractSnapshot(row, state)), names: featureNames };
}
