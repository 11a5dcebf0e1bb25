/**
 * The signed-in tabs: `home` (accounts, balances, history, limits), `payments` (transfers, payees,
 * step-up), `insights` (spending, budgets, bills, the feed, forecasts), `settings` (security:
 * passkeys, devices, app lock; profile, export, sign out). Each tab is a stack of its own under
 * app/(tabs)/<tab>/.
 */
import { Redirect, Tabs, useRouter } from 'expo-router';
// expo-router vendors React Navigation's tab bar; wrapping it names it as the app's navigation.
import { BottomTabBar, type BottomTabBarProps } from 'expo-router/build/react-navigation/bottom-tabs';
import { useTranslation } from 'react-i18next';
import { View } from 'react-native';
import { AppLockOffer } from '../../src/lock/app-lock-offer';
import { KycBanner } from '../../src/screens/session/kyc-banner';
import { useSession } from '../../src/session/context';
import { useTheme } from '../../src/theme';
import { Screen } from '../../src/ui';

export default function TabsLayout() {
  const { t } = useTranslation();
  const theme = useTheme();
  const router = useRouter();
  const session = useSession();
  if (session.status === 'starting') return <Screen title={t('session.starting')} state={{ status: 'loading' }} />;
  // Every signed-in route lives under the tabs: signed out, they all lead to the front door.
  if (session.status === 'signed-out') return <Redirect href="/sign-in" />;
  return (
    <View style={{ flex: 1 }}>
      <View style={{ paddingHorizontal: theme.spacing * 2, gap: theme.spacing }}>
        <KycBanner onOpen={() => router.push('/kyc')} />
        {/* Offered once after the first sign-in, where the device has biometrics. */}
        <AppLockOffer />
      </View>
      <SignedInTabs />
    </View>
  );
}

function SignedInTabs() {
  const { t } = useTranslation();
  const theme = useTheme();
  return (
    <Tabs
      tabBar={(props: BottomTabBarProps) => (
        <View role="navigation" aria-label={t('tabs.label')}>
          <BottomTabBar {...props} />
        </View>
      )}
      screenOptions={{
        headerShown: false,
        tabBarActiveTintColor: theme.colors.primary,
        tabBarInactiveTintColor: theme.colors.textMuted,
        tabBarStyle: { backgroundColor: theme.colors.surface, borderTopColor: theme.colors.border },
      }}
    >
      <Tabs.Screen
        name="home"
        options={{
          title: t('tabs.home'),
          tabBarAccessibilityLabel: t('tabs.home'),
          tabBarIcon: () => null,
          tabBarLabelStyle: { fontSize: 14 },
        }}
      />
      <Tabs.Screen
        name="payments"
        options={{
          title: t('tabs.payments'),
          tabBarAccessibilityLabel: t('tabs.payments'),
          tabBarIcon: () => null,
          tabBarLabelStyle: { fontSize: 14 },
        }}
      />
      <Tabs.Screen
        name="insights"
        options={{
          title: t('tabs.insights'),
          tabBarAccessibilityLabel: t('tabs.insights'),
          tabBarIcon: () => null,
          tabBarLabelStyle: { fontSize: 14 },
        }}
      />
      <Tabs.Screen
        name="settings"
        // No icon font ships with the app yet (nothing downloads at run time): the tab is its label.
        options={{
          title: t('tabs.settings'),
          tabBarAccessibilityLabel: t('tabs.settings'),
          tabBarIcon: () => null,
          tabBarLabelStyle: { fontSize: 14 },
        }}
      />
    </Tabs>
  );
}
