/**
 * A 30-day balance forecast for one account: the known recurring payments projected on their
 * expected dates (salary, rent, bills, subscriptions, at their last amount) plus, for every other
 * booking, the account's average net flow on that weekday over the last weeks. Balances are end of
 * UTC day. The baselines it is measured against, and MASE, are here too.
 */
import type { Transaction } from '../interchange/format.ts';
import { forecastHorizonDays, maseSeasonDays, maxWindowDays, profileWeeks } from './constants.ts';
import { isoDate, utcDay, weekday } from './dates.ts';
import { detectRecurring, projectedDays, type RecurringSeries } from './recurring.ts';

export interface BalancePoint {
  readonly date: string;
  /** End-of-day balance, minor units. */
  readonly balanceMinor: bigint;
}

/**
 * End-of-day balances for each UTC day from `fromDay` to `toDay` (inclusive), starting from
 * `openingMinor` before `fromDay`; rows outside the range are ignored.
 */
export function dailyBalances(
  rows: readonly Transaction[],
  fromDay: number,
  toDay: number,
  openingMinor = 0n,
): bigint[] {
  const flows = Array.from({ length: Math.max(0, toDay - fromDay + 1) }, () => 0n);
  for (const row of rows) {
    const day = utcDay(row.time);
    if (day >= fromDay && day <= toDay)
      flows[day - fromDay] = (flows[day - fromDay] as bigint) + BigInt(row.amountMinor);
  }
  let balance = openingMinor;
  return flows.map((f) => {
    balance += f;
    return balance;
  });
}

export interface ForecastOptions {
  /** The first forecast day, YYYY-MM-DD (UTC): history is every row before it. */
  readonly asOf: string;
  /** The balance at the end of the day before `asOf`. */
  readonly balanceMinor: bigint;
  readonly horizonDays?: number;
  /** The account's recurring series as of `asOf`, if already detected. */
  readonly series?: readonly RecurringSeries[];
}

/** Mean non-recurring net flow per weekday (0 Sunday) over the last profileWeeks weeks before `asOfDay`. */
export function weekdayProfile(
  rows: readonly Transaction[],
  recurringIds: ReadonlySet<string>,
  asOfDay: number,
): number[] {
  const fromDay = asOfDay - profileWeeks * 7;
  const sums = Array.from({ length: 7 }, () => 0n);
  for (const row of rows) {
    const day = utcDay(row.time);
    if (day < fromDay || day >= asOfDay || recurringIds.has(row.id)) continue;
    sums[weekday(day)] = (sums[weekday(day)] as bigint) + BigInt(row.amountMinor);
  }
  // Each weekday occurs profileWeeks times in the window.
  return sums.map((s) => Number(s) / profileWeeks);
}

/** The forecast balance at the end of each of the next `horizonDays` days from `asOf`. */
export function forecastBalance(rows: readonly Transaction[], options: ForecastOptions): BalancePoint[] {
  const asOfDay = utcDay(options.asOf);
  const horizon = options.horizonDays ?? forecastHorizonDays;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > maxWindowDays) {
    throw new RangeError(`horizonDays must be a whole number from 1 to ${maxWindowDays}`);
  }
  const history = rows.filter((r) => utcDay(r.time) < asOfDay);
  const series = options.series ?? detectRecurring(history, options.asOf);
  const recurringIds = new Set(series.flatMap((s) => s.transactionIds));
  const profile = weekdayProfile(history, recurringIds, asOfDay);
  const known = new Map<number, bigint>();
  for (const s of series) {
    if (!s.active) continue;
    for (const day of projectedDays(s, asOfDay, asOfDay + horizon - 1))
      known.set(day, (known.get(day) ?? 0n) + s.lastMinor);
  }
  // The discretionary part accumulates as a float and is rounded to whole minor units once a day.
  let discretionary = 0;
  let recurring = 0n;
  const out: BalancePoint[] = [];
  for (let h = 0; h < horizon; h++) {
    const day = asOfDay + h;
    discretionary += profile[weekday(day)] as number;
    recurring += known.get(day) ?? 0n;
    out.push({
      date: isoDate(day),
      balanceMinor: options.balanceMinor + recurring + BigInt(Math.round(discretionary)),
    });
  }
  return out;
}

/** Seasonal naive: each day repeats the same weekday of the last observed week. */
export function seasonalNaiveForecast(history: readonly number[], horizon: number, season = maseSeasonDays): number[] {
  if (history.length < season) throw new RangeError(`seasonal naive needs at least ${season} observations`);
  return Array.from({ length: horizon }, (_, h) => history[history.length - season + (h % season)] as number);
}

/** Naive: the last observed value, held. */
export function naiveForecast(history: readonly number[], horizon: number): number[] {
  return Array.from({ length: horizon }, () => history.at(-1) as number);
}

/**
 * Mean absolute scaled error (Hyndman & Koehler 2006): the forecast's mean absolute error over the
 * horizon divided by the in-sample mean absolute error of the one-step seasonal naive forecast,
 * (1 / (T − m)) Σ_{t=m+1..T} |y_t − y_{t−m}|. Infinity when the history is constant over seasons.
 */
export function mase(
  actual: readonly number[],
  forecast: readonly number[],
  history: readonly number[],
  season = maseSeasonDays,
): number {
  if (actual.length !== forecast.length || actual.length === 0)
    throw new RangeError('actual and forecast must be the same non-empty length');
  if (history.length <= season) throw new RangeError(`MASE needs more than ${season} observations of history`);
  let scale = 0;
  for (let t = season; t < history.length; t++)
    scale += Math.abs((history[t] as number) - (history[t - season] as number));
  scale /= history.length - season;
  let error = 0;
  for (let h = 0; h < actual.length; h++) error += Math.abs((actual[h] as number) - (forecast[h] as number));
  error /= actual.length;
  return scale === 0 ? (error === 0 ? 0 : Number.POSITIVE_INFINITY) : error / scale;
}
