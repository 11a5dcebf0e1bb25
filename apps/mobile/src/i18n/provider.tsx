import { createContext, type ReactNode, use, useEffect, useMemo } from 'react';
import { I18nextProvider } from 'react-i18next';
import { Platform } from 'react-native';
import { createI18n, formattingLocale, type Language } from './index';

const LocaleContext = createContext<string>('en-GB');

/** Gives the tree `t()` in the chosen language and the BCP 47 locale amounts and dates are formatted in. */
export function LocaleProvider({
  language,
  deviceTag,
  children,
}: {
  language: Language;
  deviceTag?: string;
  children: ReactNode;
}) {
  const i18n = useMemo(() => createI18n(language), [language]);
  useEffect(() => {
    void i18n.changeLanguage(language);
    // Screen readers and the browser's hyphenation read the page's language from <html lang>.
    if (Platform.OS === 'web') document.documentElement.lang = language;
  }, [i18n, language]);
  const locale = formattingLocale(language, deviceTag);
  return (
    <I18nextProvider i18n={i18n}>
      <LocaleContext value={locale}>{children}</LocaleContext>
    </I18nextProvider>
  );
}

/** The formatting locale, e.g. `de-DE` or `en-GB`. */
export function useLocale(): string {
  return use(LocaleContext);
}
