import { formatAge, formatDate } from './dates';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatDate', () => {
  it('formats one instant for de-DE and en-GB in the given time zone', () => {
    const iso = '2026-12-01T23:30:00Z';
    expect(formatDate(iso, 'de-DE', { timeZone: 'Europe/Berlin' })).toBe('02.12.2026');
    expect(formatDate(iso, 'en-GB', { timeZone: 'Europe/London' })).toBe('1 Dec 2026');
    expect(plain(formatDate(iso, 'en-GB', { timeZone: 'Europe/London', withTime: true }))).toBe('1 Dec 2026, 23:30');
  });
  it('refuses what is not an instant', () => {
    expect(() => formatDate('yesterday', 'en-GB')).toThrow(RangeError);
  });
});

describe('formatAge', () => {
  it('says how old the last known data is', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    expect(formatAge('2026-12-02T11:55:00Z', now, 'en-GB')).toBe('5 minutes ago');
    expect(formatAge('2026-12-02T11:55:00Z', now, 'de-DE')).toBe('vor 5 Minuten');
    expect(formatAge('2026-11-30T12:00:00Z', now, 'en-GB')).toBe('2 days ago');
  });
});
