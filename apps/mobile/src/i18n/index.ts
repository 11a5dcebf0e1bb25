/**
 * The one i18n layer: every string a person sees goes through `t()` with a key present in both
 * resource files (src/i18n/i18n.test.ts fails when the key sets differ or a value is empty).
 */
import { getLocales } from 'expo-localization';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import deAccounts from './locales/de/accounts.json';
import deCommon from './locales/de/common.json';
import deInsights from './locales/de/insights.json';
import dePayments from './locales/de/payments.json';
import deSecurity from './locales/de/security.json';
import deSession from './locales/de/session.json';
import enAccounts from './locales/en/accounts.json';
import enCommon from './locales/en/common.json';
import enInsights from './locales/en/insights.json';
import enPayments from './locales/en/payments.json';
import enSecurity from './locales/en/security.json';
import enSession from './locales/en/session.json';

export const languages = ['en', 'de'] as const;
export type Language = (typeof languages)[number];
export type LanguageSetting = Language | 'system';

/**
 * One file per feature and language (common, session, accounts, payments, security, insights), each holding
 * its own top-level keys, merged into the one `translation` namespace: `t('accounts.title')`.
 */
export const en = { ...enCommon, ...enSession, ...enAccounts, ...enPayments, ...enSecurity, ...enInsights };
export const de = { ...deCommon, ...deSession, ...deAccounts, ...dePayments, ...deSecurity, ...deInsights };
export const resources = { en: { translation: en }, de: { translation: de } } as const;

/** The locale the device's region suggests for a language: de-AT stays de-AT, en on a German phone is en-DE. */
export function deviceLocaleTag(): string | undefined {
  return getLocales()[0]?.languageTag;
}

export function deviceLanguage(): Language {
  const code = getLocales()[0]?.languageCode;
  return code === 'de' ? 'de' : 'en';
}

export function resolveLanguage(setting: LanguageSetting): Language {
  return setting === 'system' ? deviceLanguage() : setting;
}

/**
 * The BCP 47 tag amounts and dates are formatted with: the device's own tag when it speaks the chosen
 * language (so en-US keeps its date order), else the language's home region.
 */
export function formattingLocale(language: Language, deviceTag: string | undefined = deviceLocaleTag()): string {
  if (deviceTag && deviceTag.split('-')[0] === language) return deviceTag;
  return language === 'de' ? 'de-DE' : 'en-GB';
}

export function createI18n(language: Language) {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}
