/** UTC months as YYYY-MM and days as YYYY-MM-DD, the periods the insights speak in. */

export const monthOfDate = (date: Date): string => date.toISOString().slice(0, 7);
export const dayOfDate = (date: Date): string => date.toISOString().slice(0, 10);

/** The first instant of a YYYY-MM month shifted by `months`. */
export function monthStart(month: string, months = 0): Date {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, m - 1 + months, 1);
  return date;
}

export const shiftMonth = (month: string, months: number): string => monthOfDate(monthStart(month, months));

/**
 * Whether text is a real YYYY-MM month the insights can read: from 1970 (the bank's history
 * starts later; a 13-month window back from it stays in the Unix era) to 9998 (its next month exists).
 */
export function isMonth(text: string): boolean {
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  return year >= 1970 && year <= 9998 && month >= 1 && month <= 12;
}

/** The months from `first` to `last` (both YYYY-MM), oldest first. */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let m = first; m <= last && out.length < 1200; m = shiftMonth(m, 1)) out.push(m);
  return out;
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}
