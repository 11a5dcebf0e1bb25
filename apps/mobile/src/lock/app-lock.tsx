/**
 * The app lock gate and the app-switcher cover.
 *
 * - When the lock is on, the app starts locked and locks again each time it goes to the background;
 *   while locked only the lock screen renders (the content is not mounted, so nothing leaks to
 *   screen readers or the view hierarchy).
 * - Whenever the app is not active (iOS shows the app switcher while `inactive`), an opaque cover
 *   hides the content, so the switcher's snapshot shows no balances.
 * - The lock fails closed: until biometrics are known to be available it stays locked; when they are
 *   gone (unenrolled), the person signs in with the password instead.
 */
import { createContext, type ReactNode, use, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AppState, type AppStateStatus, StyleSheet, View } from 'react-native';
import { useSettings } from '../state/settings';
import { useTheme } from '../theme';
import { Text } from '../ui';
import { type Biometrics, deviceBiometrics } from './biometrics';
import { LockScreen } from './lock-screen';

interface AppLockContextValue {
  /** null while the device has not answered yet. */
  readonly available: boolean | null;
  readonly biometrics: Biometrics;
}

const AppLockContext = createContext<AppLockContextValue>({ available: null, biometrics: deviceBiometrics });

export function useAppLock(): AppLockContextValue {
  return use(AppLockContext);
}

export interface AppLockGateProps {
  readonly children: ReactNode;
  readonly biometrics?: Biometrics;
  /**
   * The password fallback: forget this device's session (tokens and cached data) and go to the
   * password sign-in. Unlocking without the biometric never just opens the app.
   */
  readonly onPasswordFallback: () => void;
}

export function AppLockGate({ children, biometrics = deviceBiometrics, onPasswordFallback }: AppLockGateProps) {
  const { settings, loaded, update } = useSettings();
  const [available, setAvailable] = useState<boolean | null>(null);
  // null until the settings are read: the app then starts locked exactly when the lock is on.
  // Turning the lock on later does not lock the person out mid-use; the next background does.
  const [locked, setLocked] = useState<boolean | null>(null);
  const [appState, setAppState] = useState<AppStateStatus>(AppState.currentState ?? 'active');
  const lockOn = settings.appLock === 'on';
  const lockOnRef = useRef(lockOn);
  lockOnRef.current = lockOn;

  useEffect(() => {
    let live = true;
    void biometrics.available().then((value) => live && setAvailable(value));
    return () => {
      live = false;
    };
  }, [biometrics]);

  useEffect(() => {
    const subscription = AppState.addEventListener('change', (next) => {
      setAppState(next);
      if (next === 'background' && lockOnRef.current) setLocked(true);
    });
    return () => subscription.remove();
  }, []);

  const fallBackToPassword = useCallback(() => {
    update({ appLock: 'off' });
    setLocked(false);
    onPasswordFallback();
  }, [update, onPasswordFallback]);

  if (loaded && locked === null) setLocked(lockOn);

  const value = { available, biometrics };
  if (!loaded) return <Cover />;
  if (lockOn && (locked ?? true)) {
    return (
      <AppLockContext value={value}>
        <LockScreen
          biometrics={biometrics}
          available={available}
          onUnlocked={() => setLocked(false)}
          onUsePassword={fallBackToPassword}
        />
      </AppLockContext>
    );
  }
  return (
    <AppLockContext value={value}>
      <View style={styles.fill}>
        {children}
        {appState === 'background' || appState === 'inactive' ? <Cover /> : null}
      </View>
    </AppLockContext>
  );
}

/** What the app switcher sees: the brand and nothing else. */
function Cover() {
  const { colors } = useTheme();
  const { t } = useTranslation();
  return (
    <View
      testID="privacy-cover"
      accessibilityLabel={t('privacy.hidden')}
      style={[StyleSheet.absoluteFill, styles.cover, { backgroundColor: colors.background }]}
    >
      <Text variant="title">{t('app.name')}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  fill: { flex: 1 },
  cover: { alignItems: 'center', justifyContent: 'center' },
});
