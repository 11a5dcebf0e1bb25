import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { useSettings } from '../state/settings';
import { useTheme } from '../theme';
import { Button, Text } from '../ui';
import { useAppLock } from './app-lock';

/**
 * Offered once, after the first sign-in (the sign-in flow renders it): only where biometrics are
 * available, and only while the person has not decided. Turning it on first proves the biometric
 * works, so nobody locks themselves out with a sensor that fails.
 */
export function AppLockOffer() {
  const { t } = useTranslation();
  const theme = useTheme();
  const { settings, update } = useSettings();
  const { available, biometrics } = useAppLock();
  const [busy, setBusy] = useState(false);
  if (settings.appLock !== 'unset' || available !== true) return null;

  const accept = async () => {
    setBusy(true);
    const ok = await biometrics.authenticate({ promptMessage: t('lock.prompt'), cancelLabel: t('lock.cancel') });
    setBusy(false);
    if (ok) update({ appLock: 'on' });
  };

  return (
    <View
      testID="app-lock-offer"
      style={[styles.card, { backgroundColor: theme.colors.surface, borderColor: theme.colors.border }]}
    >
      <Text variant="heading">{t('lock.offerTitle')}</Text>
      <Text>{t('lock.offerBody')}</Text>
      <Button label={t('lock.offerAccept')} onPress={() => void accept()} busy={busy} />
      <Button variant="secondary" label={t('lock.offerDecline')} onPress={() => update({ appLock: 'off' })} />
    </View>
  );
}

const styles = StyleSheet.create({
  card: { padding: 16, gap: 12, borderWidth: 1, borderRadius: 12 },
});
