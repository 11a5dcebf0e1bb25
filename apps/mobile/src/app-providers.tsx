/**
 * Everything every screen stands on, in dependency order: settings (language, theme, lock) →
 * i18n and locale → theme → network → server state → app lock gate. Tests render screens inside
 * the same providers (src/test-utils.tsx), so what is tested is what ships.
 */
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { resolveLanguage } from './i18n';
import { LocaleProvider } from './i18n/provider';
import { AppLockGate } from './lock/app-lock';
import type { Biometrics } from './lock/biometrics';
import { NetworkProvider } from './state/network';
import { useSettings } from './state/settings';
import { ThemeProvider } from './theme';

export interface AppProvidersProps {
  readonly queryClient: QueryClient;
  readonly children: ReactNode;
  readonly onPasswordFallback: () => void;
  readonly biometrics?: Biometrics;
  readonly online?: boolean;
  readonly deviceTag?: string;
}

/** Needs a SettingsProvider above it (the settings choose the language and theme). */
export function AppProviders({
  queryClient,
  children,
  onPasswordFallback,
  biometrics,
  online,
  deviceTag,
}: AppProvidersProps) {
  const { settings } = useSettings();
  return (
    <LocaleProvider language={resolveLanguage(settings.language)} deviceTag={deviceTag}>
      <ThemeProvider setting={settings.theme}>
        <NetworkProvider online={online}>
          <QueryClientProvider client={queryClient}>
            <AppLockGate biometrics={biometrics} onPasswordFallback={onPasswordFallback}>
              {children}
            </AppLockGate>
          </QueryClientProvider>
        </NetworkProvider>
      </ThemeProvider>
    </LocaleProvider>
  );
}
