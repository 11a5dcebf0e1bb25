/**
 * The signed-in tabs: `home` (accounts, balances, history, limits), `payments` (transfers, payees,
 * step-up), `settings` (security: passkeys, devices, app lock; profile, export, sign out). Each
 * tab is a stack of its own under app/(tabs)/<tab>/.
 */
import { Tabs } from 'expo-router';
import { useTranslation } from 'react-i18next';
import { useTheme } from '../../src/theme';

export default function TabsLayout() {
  const { t } = useTranslation();
  const theme = useTheme();
  return (
    <Tabs
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
