/** UTC calendar days as integers (days since 1970-01-01), and the month arithmetic schedules need. */
import { dayMs } from '../synthetic/calendar.ts';

/** The UTC day of an ISO 8601 time or a YYYY-MM-DD date. */
export function utcDay(time: string): number {
  const ms = Date.parse(time.length === 10 ? `${time}T00:00:00Z` : time);
  if (Number.isNaN(ms)) throw new RangeError(`not a date or time: ${JSON.stringify(time)}`);
  return Math.floor(ms / dayMs);
}

/** YYYY-MM-DD of a UTC day. */
export function isoDate(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

/** 0 Sunday … 6 Saturday. */
export function weekday(day: number): number {
  return (day + 4) % 7;
}

export function dayOfMonth(day: number): number {
  return new Date(day * dayMs).getUTCDate();
}

/** The day `months` calendar months after `day`'s month, on `anchor` (clamped to the month's length). */
export function addMonths(day: number, months: number, anchor: number): number {
  const d = new Date(day * dayMs);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + months;
  const length = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Math.floor(Date.UTC(year, month, Math.min(anchor, length)) / dayMs);
}
