import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { useTheme } from '../theme';
import { Banner, Button, Text } from '../ui';
import type { Biometrics } from './biometrics';

export interface LockScreenProps {
  readonly biometrics: Biometrics;
  readonly available: boolean | null;
  readonly onUnlocked: () => void;
  readonly onUsePassword: () => void;
}

/** Asks for the biometric once on open; after a failure it offers a retry and the password sign-in. */
export function LockScreen({ biometrics, available, onUnlocked, onUsePassword }: LockScreenProps) {
  const { t } = useTranslation();
  const theme = useTheme();
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const asked = useRef(false);

  const unlock = useCallback(async () => {
    setBusy(true);
    const ok = await biometrics.authenticate({ promptMessage: t('lock.prompt'), cancelLabel: t('lock.cancel') });
    setBusy(false);
    if (ok) onUnlocked();
    else setFailed(true);
  }, [biometrics, onUnlocked, t]);

  useEffect(() => {
    if (available && !asked.current) {
      asked.current = true;
      void unlock();
    }
  }, [available, unlock]);

  return (
    <View testID="lock-screen" style={[styles.screen, { backgroundColor: theme.colors.background }]}>
      <Text variant="title">{t('lock.title')}</Text>
      {failed || available === false ? <Banner tone="danger" message={t('lock.failed')} /> : null}
      {available ? (
        <Button label={failed ? t('lock.retry') : t('lock.unlock')} onPress={() => void unlock()} busy={busy} />
      ) : null}
      <Button variant="secondary" label={t('lock.usePassword')} onPress={onUsePassword} />
    </View>
  );
}

const styles = StyleSheet.create({
  screen: { flex: 1, justifyContent: 'center', padding: 24, gap: 16 },
});
