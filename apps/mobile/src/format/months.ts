/**
 * Months and days as the insights API names them: a month is `YYYY-MM` and a day `YYYY-MM-DD`,
 * both in UTC (docs/api/insights.md). Formatted in UTC too, so a day never shows as the day before
 * west of Greenwich.
 */

const monthPattern = /^(\d{4})-(\d{2})$/;
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

export const isDay = (text: string) => dayPattern.test(text);

/** The month (UTC) an instant falls in. */
export function monthOf(now: Date): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

function firstDay(month: string): Date {
  const found = monthPattern.exec(month);
  if (!found) throw new RangeError(`not a YYYY-MM month: ${month}`);
  return new Date(Date.UTC(Number(found[1]), Number(found[2]) - 1, 1));
}

/** The month `delta` months after (or before, when negative) `month`. */
export function shiftMonth(month: string, delta: number): string {
  const day = firstDay(month);
  return monthOf(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + delta, 1)));
}

/** "December 2026" (long) or "Dec" (short, for a chart's axis). */
export function formatMonth(month: string, locale: string, style: 'long' | 'short' = 'long'): string {
  return new Intl.DateTimeFormat(locale, {
    month: style,
    ...(style === 'long' ? { year: 'numeric' } : {}),
    timeZone: 'UTC',
  }).format(firstDay(month));
}

/** A `YYYY-MM-DD` day in the locale's medium style ("24 Dec 2026"), or short ("24 Dec"). */
export function formatDay(day: string, locale: string, style: 'medium' | 'short' = 'medium'): string {
  if (!isDay(day)) throw new RangeError(`not a YYYY-MM-DD day: ${day}`);
  const date = new Date(`${day}T00:00:00Z`);
  return style === 'medium'
    ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date)
    : new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
}

/** A share (0.234) as a whole percentage in the locale ("23%", "23 %"). */
export function formatShare(share: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}
