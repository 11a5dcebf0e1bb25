import { Stack } from 'expo-router';
import { useTranslation } from 'react-i18next';
import { useTheme } from '../../../src/theme';

export default function SettingsStack() {
  const { t } = useTranslation();
  const theme = useTheme();
  return (
    <Stack
      screenOptions={{
        headerStyle: { backgroundColor: theme.colors.surface },
        headerTintColor: theme.colors.text,
        contentStyle: { backgroundColor: theme.colors.background },
      }}
    >
      <Stack.Screen name="index" options={{ headerShown: false, title: t('settings.title') }} />
      <Stack.Screen name="about" options={{ title: t('about.title') }} />
      <Stack.Screen name="profile" options={{ title: t('security.profile.title') }} />
      <Stack.Screen name="passkeys" options={{ title: t('security.passkeys.title') }} />
      <Stack.Screen name="devices" options={{ title: t('security.devices.title') }} />
    </Stack>
  );
}
