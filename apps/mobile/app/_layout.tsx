/**
 * Root of the route tree. Routes live under app/ (expo-router): `/` decides, (auth) holds sign-in
 * and registration, auth/callback finishes a web sign-in, kyc verifies the customer, (tabs) holds
 * the signed-in app (home, payments, settings). Screens live under src/screens/. This installation's
 * device (its DPoP key, token store and API client) opens here, once.
 */
import { Stack, useRouter } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { useState } from 'react';
import { SafeAreaProvider, SafeAreaView } from 'react-native-safe-area-context';
import { AppProviders } from '../src/app-providers';
import { useScreenPrivacy } from '../src/lock/screen-privacy';
import { openDevice } from '../src/session/device';
import { useDeviceSession } from '../src/session/session-provider';
import { createQueryClient } from '../src/state/query-client';
import { SettingsProvider } from '../src/state/settings';
import { useTheme } from '../src/theme';
import { OfflineBanner } from '../src/ui';

export default function RootLayout() {
  const [queryClient] = useState(createQueryClient);
  const router = useRouter();
  const { session, api } = useDeviceSession(openDevice, queryClient);
  useScreenPrivacy(session.status === 'signed-in');
  // The password fallback forgets this device's sign-in and starts again at the front door.
  const onPasswordFallback = () => {
    void session.signOut().finally(() => router.replace('/sign-in'));
  };
  return (
    <SafeAreaProvider>
      <SettingsProvider>
        <AppProviders queryClient={queryClient} onPasswordFallback={onPasswordFallback} api={api} session={session}>
          <Chrome />
        </AppProviders>
      </SettingsProvider>
    </SafeAreaProvider>
  );
}

function Chrome() {
  const theme = useTheme();
  return (
    <SafeAreaView edges={['top']} style={{ flex: 1, backgroundColor: theme.colors.background }}>
      <StatusBar style={theme.scheme === 'dark' ? 'light' : 'dark'} />
      <OfflineBanner />
      <Stack screenOptions={{ headerShown: false, contentStyle: { backgroundColor: theme.colors.background } }} />
    </SafeAreaView>
  );
}
