/**
 * Dates on screen. The API sends ISO 8601 instants in UTC; a person reads them in their own time zone
 * and locale. `timeZone` is a parameter so tests (and a statement's fixed zone) are deterministic.
 */

export interface FormatDateOptions {
  readonly timeZone?: string;
  readonly withTime?: boolean;
}

export function formatDate(iso: string, locale: string, options: FormatDateOptions = {}): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) throw new RangeError('not an ISO 8601 instant');
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    ...(options.withTime ? { timeStyle: 'short' } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }).format(instant);
}

/** "5 minutes ago" for the age of last known data while offline. */
export function formatAge(fromIso: string, now: Date, locale: string): string {
  const seconds = Math.round((new Date(fromIso).getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}
