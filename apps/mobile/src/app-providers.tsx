/**
 * Everything every screen stands on, in dependency order: settings (language, theme, lock) →
 * i18n and locale → theme → network → API client → passkeys → server state → app lock gate. Tests render screens inside
 * the same providers (src/test-utils.tsx), so what is tested is what ships.
 */

import type { ApiClient } from '@nextgen/api-client';
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiProvider } from './api/context';
import { resolveLanguage } from './i18n';
import { LocaleProvider } from './i18n/provider';
import { AppLockGate } from './lock/app-lock';
import type { Biometrics } from './lock/biometrics';
import { type Passkeys, PasskeysProvider } from './passkeys';
import { type Session, SessionContextProvider } from './session/context';
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
  /** This installation's API client (src/session builds it); absent until the device store opened. */
  readonly api?: ApiClient;
  readonly passkeys?: Passkeys;
  /** The customer's sign-in (src/session/session-provider.tsx builds it; tests hand in a fake). */
  readonly session?: Session;
}

/** Needs a SettingsProvider above it (the settings choose the language and theme). */
export function AppProviders({
  queryClient,
  children,
  onPasswordFallback,
  biometrics,
  online,
  deviceTag,
  api,
  passkeys,
  session,
}: AppProvidersProps) {
  const { settings } = useSettings();
  return (
    <LocaleProvider language={resolveLanguage(settings.language)} deviceTag={deviceTag}>
      <ThemeProvider setting={settings.theme}>
        <NetworkProvider online={online}>
          <ApiProvider api={api}>
            <PasskeysProvider passkeys={passkeys}>
              <QueryClientProvider client={queryClient}>
                <OptionalSession session={session}>
                  <AppLockGate biometrics={biometrics} onPasswordFallback={onPasswordFallback}>
                    {children}
                  </AppLockGate>
                </OptionalSession>
              </QueryClientProvider>
            </PasskeysProvider>
          </ApiProvider>
        </NetworkProvider>
      </ThemeProvider>
    </LocaleProvider>
  );
}

function OptionalSession({ session, children }: { session: Session | undefined; children: ReactNode }) {
  return session ? <SessionContextProvider session={session}>{children}</SessionContextProvider> : children;
}
