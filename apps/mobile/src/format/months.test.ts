import { formatDay, formatMonth, formatShare, isDay, monthOf, shiftMonth } from './months';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('months and days of the insights API', () => {
  it('names the UTC month of an instant', () => {
    expect(monthOf(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12');
    expect(monthOf(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01');
  });
  it('steps across years both ways', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-07', -5)).toBe('2026-02');
  });
  it('refuses what is not a month or a day', () => {
    expect(() => shiftMonth('2026-1', 1)).toThrow(RangeError);
    expect(() => formatDay('2026-12-24T00:00:00Z', 'en-GB')).toThrow(RangeError);
    expect(isDay('2026-12-24')).toBe(true);
    expect(isDay('24.12.2026')).toBe(false);
  });
  it('formats months and days in the locale, on the UTC day', () => {
    expect(formatMonth('2026-12', 'en-GB')).toBe('December 2026');
    expect(formatMonth('2026-12', 'de-DE')).toBe('Dezember 2026');
    expect(formatMonth('2026-03', 'de-DE', 'short')).toBe('Mär');
    expect(formatDay('2026-12-24', 'en-GB')).toBe('24 Dec 2026');
    expect(formatDay('2026-12-24', 'de-DE', 'short')).toBe('24. Dez.');
  });
  it('formats a share as a whole percentage', () => {
    expect(formatShare(0.234, 'en-GB')).toBe('23%');
    expect(plain(formatShare(1.05, 'de-DE'))).toBe('105 %');
  });
});
