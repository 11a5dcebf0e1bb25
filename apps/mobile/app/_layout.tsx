/**
 * Root of the route tree. Routes live under app/ (expo-router); screens under src/screens/. The
 * routes that need the API (sign-in, home and accounts, payments, security and profile) arrive
 * with packages/api-client; until then only what works without it is routed.
 */
import { Stack, useRouter } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { useState } from 'react';
import { SafeAreaProvider, SafeAreaView } from 'react-native-safe-area-context';
import { AppProviders } from '../src/app-providers';
import { createQueryClient } from '../src/state/query-client';
import { SettingsProvider } from '../src/state/settings';
import { useTheme } from '../src/theme';
import { OfflineBanner } from '../src/ui';

export default function RootLayout() {
  const [queryClient] = useState(createQueryClient);
  const router = useRouter();
  // The password fallback forgets what this device holds and starts again at the front door.
  const onPasswordFallback = () => {
    queryClient.clear();
    router.replace('/');
  };
  return (
    <SafeAreaProvider>
      <SettingsProvider>
        <AppProviders queryClient={queryClient} onPasswordFallback={onPasswordFallback}>
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
