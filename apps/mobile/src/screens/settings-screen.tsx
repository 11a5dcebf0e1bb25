import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, Switch, View } from 'react-native';
import type { LanguageSetting } from '../i18n';
import { useAppLock } from '../lock/app-lock';
import { useSettings } from '../state/settings';
import type { ThemeSetting } from '../theme';
import { Choice, Screen, Text } from '../ui';

/**
 * Language, appearance and app lock: the device settings that need no API. `links` (the security
 * and profile screens, sign-out) and `aboutLink` come from the route, so this screen needs no router.
 */
export function SettingsScreen({ aboutLink, links }: { aboutLink?: React.ReactNode; links?: React.ReactNode }) {
  const { t } = useTranslation();
  const { settings, update } = useSettings();
  return (
    <Screen title={t('settings.title')} testID="settings-screen">
      <Choice<LanguageSetting>
        testID="language"
        label={t('settings.language')}
        value={settings.language}
        onChange={(language) => update({ language })}
        options={[
          { value: 'system', label: t('settings.languageSystem') },
          { value: 'en', label: t('settings.languageEn') },
          { value: 'de', label: t('settings.languageDe') },
        ]}
      />
      <Choice<ThemeSetting>
        testID="theme"
        label={t('settings.theme')}
        value={settings.theme}
        onChange={(theme) => update({ theme })}
        options={[
          { value: 'system', label: t('settings.themeSystem') },
          { value: 'light', label: t('settings.themeLight') },
          { value: 'dark', label: t('settings.themeDark') },
        ]}
      />
      <AppLockSetting />
      {links}
      {aboutLink}
    </Screen>
  );
}

function AppLockSetting() {
  const { t } = useTranslation();
  const { settings, update } = useSettings();
  const { available, biometrics } = useAppLock();
  const [busy, setBusy] = useState(false);
  if (available === null) return null;
  if (!available) {
    return (
      <View style={styles.section}>
        <Text variant="heading">{t('settings.appLock')}</Text>
        <Text testID="app-lock-unavailable" muted>
          {t('settings.appLockUnavailable')}
        </Text>
      </View>
    );
  }
  const toggle = async (on: boolean) => {
    if (!on) return update({ appLock: 'off' });
    // Turning it on proves the biometric works first, so nobody locks themselves out.
    setBusy(true);
    const ok = await biometrics.authenticate({ promptMessage: t('lock.prompt'), cancelLabel: t('lock.cancel') });
    setBusy(false);
    if (ok) update({ appLock: 'on' });
  };
  return (
    <View style={styles.section}>
      <Text variant="heading">{t('settings.appLock')}</Text>
      <View style={styles.row}>
        <Text style={styles.grow}>{t('settings.appLockOn')}</Text>
        <Switch
          testID="app-lock-switch"
          role="switch"
          accessibilityLabel={t('settings.appLockOn')}
          accessibilityHint={t('settings.appLockHint')}
          disabled={busy}
          value={settings.appLock === 'on'}
          onValueChange={(on) => void toggle(on)}
        />
      </View>
      <Text variant="caption" muted>
        {t('settings.appLockHint')}
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  section: { gap: 8 },
  row: { flexDirection: 'row', alignItems: 'center', gap: 12 },
  grow: { flex: 1 },
});
