/**
 * Local days and times of the customers' home zones, without Intl: every zone here is European and
 * follows the EU summer-time rule (last Sunday of March 01:00 UTC to last Sunday of October 01:00
 * UTC), so a standard offset is all a zone needs.
 */

export const dayMs = 86_400_000;

export interface Zone {
  name: string;
  /** Minutes east of UTC in winter. */
  standardOffsetMin: number;
}

/**
 * The largest offset east of UTC any zone reaches (Helsinki in summer, +3 h): a row of local day d is
 * never earlier than UTC midnight of d minus this, which is what lets the generator stream in order.
 */
export const maxUtcOffsetMs = 3 * 3_600_000;

function lastSundayUtcMs(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

function isSummerTime(utcMs: number): boolean {
  const year = new Date(utcMs).getUTCFullYear();
  return utcMs >= lastSundayUtcMs(year, 2) && utcMs < lastSundayUtcMs(year, 9);
}

/** The UTC instant of `secondOfDay` local time on the local date whose UTC midnight is `dateMs`. */
export function localToUtcMs(zone: Zone, dateMs: number, secondOfDay: number): number {
  const wall = dateMs + secondOfDay * 1000;
  const guess = wall - zone.standardOffsetMin * 60_000;
  const offsetMin = zone.standardOffsetMin + (isSummerTime(guess) ? 60 : 0);
  return wall - offsetMin * 60_000;
}

/** The calendar facts of one local date. */
export interface LocalDate {
  /** UTC midnight of the date, as a handle on it (not an instant the customer lives at). */
  dateMs: number;
  year: number;
  /** 1–12. */
  month: number;
  dayOfMonth: number;
  /** 0 Sunday … 6 Saturday. */
  dayOfWeek: number;
  daysInMonth: number;
}

export function localDate(dateMs: number): LocalDate {
  const d = new Date(dateMs);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  return {
    dateMs,
    year,
    month,
    dayOfMonth: d.getUTCDate(),
    dayOfWeek: d.getUTCDay(),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

/**
 * The day of the month a payment due on `dueDay` is made: the due day (or the month's last day if it
 * is shorter), moved back to the Friday before when it falls on a weekend, as employers pay salaries.
 */
export function businessDayOnOrBefore(date: LocalDate, dueDay: number): number {
  const day = Math.min(dueDay, date.daysInMonth);
  const weekday = new Date(Date.UTC(date.year, date.month - 1, day)).getUTCDay();
  if (weekday === 6) return day - 1;
  if (weekday === 0) return day - 2;
  return day;
}

/** `2026-01-05T17:42:09Z`: whole seconds, no milliseconds. */
export function formatTime(utcMs: number): string {
  return `${new Date(utcMs).toISOString().slice(0, 19)}Z`;
}
