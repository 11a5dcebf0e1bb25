import { createI18n, de, en, formattingLocale } from './index';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key));
}

function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Object.values(value as Record<string, unknown>).flatMap(leaves);
}

describe('translations', () => {
  it('have the same keys in English and German', () => {
    expect(keys(de).sort()).toEqual(keys(en).sort());
  });
  it('have no empty strings', () => {
    for (const text of [...leaves(en), ...leaves(de)]) expect(text.trim()).not.toBe('');
  });
  it('use the same interpolation placeholders in both languages', () => {
    const placeholders = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
    const deByKey = new Map(keys(de).map((k, i) => [k, leaves(de)[i] ?? '']));
    keys(en).forEach((key, i) => {
      expect([key, placeholders(deByKey.get(key) ?? '')]).toEqual([key, placeholders(leaves(en)[i] ?? '')]);
    });
  });
  it('give each feature file its own top-level keys (a later file cannot override an earlier one)', () => {
    for (const language of ['en', 'de']) {
      const files = ['common', 'session', 'accounts', 'payments', 'security', 'insights'].map(
        (name) => require(`./locales/${language}/${name}.json`) as Record<string, unknown>,
      );
      const tops = files.flatMap((file) => Object.keys(file));
      expect(tops.length).toBe(new Set(tops).size);
    }
  });
  it('translate into German', () => {
    expect(createI18n('de').t('settings.title')).toBe('Einstellungen');
    expect(createI18n('en').t('about.version', { version: '1.2.3' })).toBe('Version 1.2.3');
  });
});

describe('formattingLocale', () => {
  it('keeps the device’s region when it speaks the chosen language', () => {
    expect(formattingLocale('de', 'de-AT')).toBe('de-AT');
    expect(formattingLocale('en', 'en-US')).toBe('en-US');
  });
  it('uses the language’s home region otherwise', () => {
    expect(formattingLocale('de', 'en-GB')).toBe('de-DE');
    expect(formattingLocale('en', 'fr-FR')).toBe('en-GB');
  });
});
