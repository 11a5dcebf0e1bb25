/**
 * Recurring payments in one account's history: the same counterparty, the same direction, an
 * amount stable within a tolerance, at a regular interval (weekly, monthly, quarterly, yearly).
 *
 * For each counterparty and direction, the rows are split into amount bands (sorted by amount, a
 * new band where an amount strays more than the tolerance from the band's first), so a landlord's
 * rent and a one-off invoice to the same landlord do not mix. A band is a series when every gap
 * between consecutive payments fits one frequency's interval (one skipped payment allowed) and it
 * has that frequency's minimum of occurrences. Its schedule anchors on the typical day of the
 * month; payments the history shows moved back to Friday when the day falls on a weekend (as
 * salaries are) are projected the same way. A series that missed two expected dates is inactive.
 */
import type { Channel, Transaction } from '../interchange/format.ts';
import { merchantKey } from './categoriser.ts';
import {
  amountTolerance,
  graceDays,
  intervalDays,
  maxAsOfGapDays,
  maxHistoryRows,
  maxSkippedIntervals,
  maxWindowDays,
  minOccurrences,
  missedToInactive,
  scheduleToleranceDays,
} from './constants.ts';
import { addMonths, dayOfMonth, isoDate, utcDay, weekday } from './dates.ts';

export type Frequency = keyof typeof intervalDays;
const frequencies = Object.keys(intervalDays) as Frequency[];
const monthsOf: Record<Frequency, number> = { weekly: 0, monthly: 1, quarterly: 3, yearly: 12 };

export interface RecurringSeries {
  /** The merchant key (merchantKey) of the counterparty. */
  readonly key: string;
  readonly counterpartyName: string;
  readonly direction: 'in' | 'out';
  readonly channel: Channel;
  readonly frequency: Frequency;
  readonly currency: string;
  /** Signed, as in the rows (negative is money out), in minor units. */
  readonly averageMinor: bigint;
  readonly lastMinor: bigint;
  readonly occurrences: number;
  readonly transactionIds: readonly string[];
  readonly firstDate: string;
  readonly lastDate: string;
  /** The first expected date on or after the as-of date. */
  readonly nextDate: string;
  /** Expected dates between the last payment and the as-of date that passed without one (after grace). */
  readonly missed: number;
  readonly active: boolean;
  /** Day of the month the schedule anchors on (weekly series: the weekday, 0 Sunday). */
  readonly anchor: number;
  /** Whether a due date on a weekend is paid on the Friday before, as the history shows. */
  readonly movesToFriday: boolean;
}

interface Booking {
  id: string;
  day: number;
  amountMinor: bigint;
  row: Transaction;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

const within = (a: bigint, center: bigint): boolean =>
  // Integer test of |a − center| ≤ tolerance · |center|, in thousandths.
  abs(abs(a) - abs(center)) * 1000n <= abs(center) * BigInt(Math.round(amountTolerance * 1000));

/**
 * Splits bookings (one counterparty, direction and channel) into bands of similar amounts, each in
 * time order: the densest amount first (the one with most bookings within the tolerance, exact
 * repeats winning ties through their count), its band removed, and again.
 */
function amountBands(bookings: Booking[]): Booking[][] {
  let left = [...bookings];
  const bands: Booking[][] = [];
  while (left.length > 0) {
    let center = left[0] as Booking;
    let best = -1;
    for (const candidate of left) {
      let n = 0;
      for (const b of left) if (within(b.amountMinor, candidate.amountMinor)) n++;
      if (n > best) {
        best = n;
        center = candidate;
      }
    }
    const band = left.filter((b) => within(b.amountMinor, center.amountMinor));
    left = left.filter((b) => !within(b.amountMinor, center.amountMinor));
    bands.push(band.sort((x, y) => x.day - y.day || (x.id < y.id ? -1 : 1)));
  }
  return bands;
}

/**
 * Whether a band stands out from its counterparty's other bookings in the same span: a shop visited
 * every few days has, by chance, a few visits a month apart at similar amounts, among many others.
 * A series may share its counterparty with at most half as many other bookings in its span.
 */
function dominates(band: readonly Booking[], all: readonly Booking[]): boolean {
  const from = (band[0] as Booking).day;
  const to = (band.at(-1) as Booking).day;
  const others = all.filter((b) => b.day >= from && b.day <= to).length - band.length;
  return others * 2 <= band.length;
}

/** The frequency all gaps fit (one doubled gap allowed), or undefined. */
function frequencyOf(days: readonly number[]): Frequency | undefined {
  const gaps = days.slice(1).map((d, i) => d - (days[i] as number));
  for (const frequency of frequencies) {
    const { min, max } = intervalDays[frequency];
    if (days.length < minOccurrences[frequency]) continue;
    let skipped = 0;
    const fits = gaps.every((g) => {
      if (g >= min && g <= max) return true;
      if (g >= 2 * min && g <= 2 * max && skipped < maxSkippedIntervals) {
        skipped++;
        return true;
      }
      return false;
    });
    if (fits) return frequency;
  }
  return undefined;
}

/** The schedule of a series: anchor day and whether weekend due dates move to the Friday before. */
export interface Schedule {
  readonly frequency: Frequency;
  readonly anchor: number;
  readonly movesToFriday: boolean;
}

/** The due date of a schedule in the period after the one containing `day` (periods: a week or `months`). */
function dueAfter(schedule: Schedule, day: number): number {
  if (schedule.frequency === 'weekly') {
    return day + 7;
  }
  const due = addMonths(day, monthsOf[schedule.frequency], schedule.anchor);
  return schedule.movesToFriday ? toFriday(due) : due;
}

function toFriday(day: number): number {
  const w = weekday(day);
  return w === 6 ? day - 1 : w === 0 ? day - 2 : day;
}

/** Expected dates after `lastDay`, in order, up to and including `untilDay`. */
export function expectedDates(schedule: Schedule, lastDay: number, untilDay: number): number[] {
  const out: number[] = [];
  // A monthly schedule steps from the anchor date of the last payment's month, not from a Friday it moved to.
  let period = schedule.frequency === 'weekly' ? lastDay : addMonths(lastDay, 0, schedule.anchor);
  let due = dueAfter(schedule, period);
  // Ends: every step moves the due date on by at least six days.
  while (due <= untilDay) {
    if (due > lastDay) out.push(due);
    period = schedule.frequency === 'weekly' ? due : addMonths(period, monthsOf[schedule.frequency], schedule.anchor);
    due = dueAfter(schedule, period);
  }
  return out;
}

function scheduleOf(frequency: Frequency, days: readonly number[]): Schedule {
  if (frequency === 'weekly') return { frequency, anchor: weekday(days.at(-1) as number), movesToFriday: false };
  // The day of the month that puts the payments closest to their due dates (a weekend due date may
  // be paid the Friday before); ties go to the later day, the one a Friday move comes from.
  let anchor = 1;
  let best = Number.POSITIVE_INFINITY;
  for (const candidate of new Set(days.map(dayOfMonth))) {
    const cost = days.reduce((sum, d) => {
      const due = addMonths(d, 0, candidate);
      return sum + Math.min(Math.abs(d - due), Math.abs(d - toFriday(due)));
    }, 0);
    if (cost < best || (cost === best && candidate > anchor)) {
      best = cost;
      anchor = candidate;
    }
  }
  // Evidence of the Friday rule: a payment on a Friday one or two days before the anchor date, which fell on a weekend.
  const movesToFriday = days.some((d) => {
    const due = addMonths(d, 0, anchor);
    return weekday(d) === 5 && due > d && due - d <= 2 && (weekday(due) === 6 || weekday(due) === 0);
  });
  return { frequency, anchor, movesToFriday };
}

/**
 * Whether every payment is on its schedule's due date, give or take scheduleToleranceDays (a
 * weekend due date may also be paid on the Friday before): a shop visited about monthly at random
 * days has the gaps of a month but not the calendar of a bill.
 */
function keepsSchedule(schedule: Schedule, days: readonly number[]): boolean {
  if (schedule.frequency === 'weekly') {
    return days.every((d) => {
      const off = Math.abs(weekday(d) - schedule.anchor);
      return Math.min(off, 7 - off) <= 1;
    });
  }
  return days.every((d) => {
    const due = addMonths(d, 0, schedule.anchor);
    return Math.min(Math.abs(d - due), Math.abs(d - toFriday(due))) <= scheduleToleranceDays;
  });
}

function seriesOf(band: Booking[], asOfDay: number): RecurringSeries | undefined {
  const days = band.map((b) => b.day);
  const frequency = frequencyOf(days);
  if (frequency === undefined) return undefined;
  const schedule = scheduleOf(frequency, days);
  if (!keepsSchedule(schedule, days)) return undefined;
  const first = band[0] as Booking;
  const last = band.at(-1) as Booking;
  const grace = graceDays[frequency];
  const upcoming = expectedDates(schedule, last.day, asOfDay + intervalDays[frequency].max + grace);
  const missed = upcoming.filter((d) => d + grace < asOfDay).length;
  const next = upcoming.find((d) => d >= asOfDay) ?? (upcoming.at(-1) as number);
  const total = band.reduce((s, b) => s + b.amountMinor, 0n);
  return {
    key: merchantKey(last.row),
    counterpartyName: last.row.counterpartyName,
    direction: last.amountMinor > 0n ? 'in' : 'out',
    channel: last.row.channel,
    frequency,
    currency: last.row.currency,
    averageMinor: total / BigInt(band.length),
    lastMinor: last.amountMinor,
    occurrences: band.length,
    transactionIds: band.map((b) => b.id),
    firstDate: isoDate(first.day),
    lastDate: isoDate(last.day),
    nextDate: isoDate(next),
    missed,
    active: missed < missedToInactive,
    anchor: schedule.anchor,
    movesToFriday: schedule.movesToFriday,
  };
}

/**
 * The recurring series of one account's rows (any order), as of a date (YYYY-MM-DD, UTC; the
 * day after the last row by default). Throws RangeError beyond maxHistoryRows.
 */
export function detectRecurring(rows: readonly Transaction[], asOf?: string): RecurringSeries[] {
  if (rows.length > maxHistoryRows)
    throw new RangeError(`at most ${maxHistoryRows} rows of history, got ${rows.length}`);
  const groups = new Map<string, Booking[]>();
  let lastDay = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const amountMinor = BigInt(row.amountMinor);
    const day = utcDay(row.time);
    lastDay = Math.max(lastDay, day);
    const group = `${row.account}\u0000${merchantKey(row)}\u0000${row.channel}\u0000${amountMinor > 0n ? 'in' : 'out'}`;
    const list = groups.get(group) ?? [];
    list.push({ id: row.id, day, amountMinor, row });
    groups.set(group, list);
  }
  const asOfDay = asOf === undefined ? lastDay + 1 : utcDay(asOf);
  if (asOfDay - lastDay > maxAsOfGapDays) {
    throw new RangeError(`the as-of date is more than ${maxAsOfGapDays} days after the last row`);
  }
  const series: RecurringSeries[] = [];
  for (const bookings of groups.values()) {
    for (const band of amountBands(bookings)) {
      if (!dominates(band, bookings)) continue;
      const found = seriesOf(band, asOfDay);
      if (found) series.push(found);
    }
  }
  return series.sort((a, b) => (a.nextDate < b.nextDate ? -1 : a.nextDate > b.nextDate ? 1 : a.key < b.key ? -1 : 1));
}

/** Merchant keys of active outgoing card series: what the categoriser calls subscriptions. */
export function subscriptionKeys(series: readonly RecurringSeries[]): Set<string> {
  return new Set(series.filter((s) => s.active && s.direction === 'out' && s.channel === 'card').map((s) => s.key));
}

export interface UpcomingBill {
  readonly date: string;
  readonly key: string;
  readonly counterpartyName: string;
  readonly frequency: Frequency;
  /** Negative: money out, the series' last amount. */
  readonly amountMinor: bigint;
  readonly currency: string;
}

/** Active outgoing series' payments due from `from` (YYYY-MM-DD) for `days` days, in date order. */
export function upcomingBills(series: readonly RecurringSeries[], from: string, days: number): UpcomingBill[] {
  if (!Number.isInteger(days) || days < 1 || days > maxWindowDays) {
    throw new RangeError(`days must be a whole number from 1 to ${maxWindowDays}`);
  }
  const fromDay = utcDay(from);
  const out: UpcomingBill[] = [];
  for (const s of series) {
    if (!s.active || s.direction !== 'out') continue;
    for (const day of projectedDays(s, fromDay, fromDay + days - 1)) {
      out.push({
        date: isoDate(day),
        key: s.key,
        counterpartyName: s.counterpartyName,
        frequency: s.frequency,
        amountMinor: s.lastMinor,
        currency: s.currency,
      });
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.key < b.key ? -1 : 1));
}

/** The days a series is expected to pay in [fromDay, toDay]: a payment already missed is not expected again. */
export function projectedDays(s: RecurringSeries, fromDay: number, toDay: number): number[] {
  const schedule = { frequency: s.frequency, anchor: s.anchor, movesToFriday: s.movesToFriday };
  return expectedDates(schedule, utcDay(s.lastDate), toDay).filter((d) => d >= fromDay);
}
