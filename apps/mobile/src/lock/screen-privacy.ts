/**
 * What the operating system may capture of the app (ADR 0127):
 * - Android, while signed in: FLAG_SECURE (expo-screen-capture's preventScreenCaptureAsync). The
 *   recents thumbnail is blank and screenshots and recordings of balances and IBANs are refused;
 *   the JS cover of the app lock alone can come too late for the thumbnail. Signed out, the flag is
 *   lifted (nothing personal is on screen, and the sign-in can be shown to a helper).
 * - iOS: the system's app-switcher protection (a blur over the snapshot, at once), beside the
 *   app lock's cover. Screenshots stay allowed, as iOS customers expect.
 * - Web: nothing to set; the browser decides.
 */
import * as ScreenCapture from 'expo-screen-capture';
import { useEffect } from 'react';
import { Platform } from 'react-native';

const key = 'nextgen-signed-in';

export type ScreenCaptureModule = Pick<
  typeof ScreenCapture,
  'preventScreenCaptureAsync' | 'allowScreenCaptureAsync' | 'enableAppSwitcherProtectionAsync'
>;

export async function applyScreenPrivacy(
  platform: typeof Platform.OS,
  signedIn: boolean,
  capture: ScreenCaptureModule = ScreenCapture,
): Promise<void> {
  if (platform === 'android') {
    await (signedIn ? capture.preventScreenCaptureAsync(key) : capture.allowScreenCaptureAsync(key));
  } else if (platform === 'ios') {
    await capture.enableAppSwitcherProtectionAsync(1);
  }
}

export function useScreenPrivacy(signedIn: boolean): void {
  useEffect(() => {
    // A device without the API keeps the app lock's cover; nothing here may stop the app.
    applyScreenPrivacy(Platform.OS, signedIn).catch(() => {});
  }, [signedIn]);
}
