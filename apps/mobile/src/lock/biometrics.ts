/**
 * The biometric app lock unlocks the app on this device only (expo-local-authentication); it is
 * never a factor for the bank: every money approval is a server-checked passkey assertion.
 */
import * as LocalAuthentication from 'expo-local-authentication';

export interface Biometrics {
  /** Hardware present and a biometric enrolled. The web has neither, so the lock is not offered there. */
  available(): Promise<boolean>;
  /** Asks for the biometric; the device passcode is not accepted (the fallback is the bank password). */
  authenticate(prompt: { promptMessage: string; cancelLabel: string }): Promise<boolean>;
}

export const deviceBiometrics: Biometrics = {
  async available() {
    try {
      return (await LocalAuthentication.hasHardwareAsync()) && (await LocalAuthentication.isEnrolledAsync());
    } catch {
      return false;
    }
  },
  async authenticate({ promptMessage, cancelLabel }) {
    try {
      const result = await LocalAuthentication.authenticateAsync({
        promptMessage,
        cancelLabel,
        disableDeviceFallback: true,
        biometricsSecurityLevel: 'strong',
      });
      return result.success;
    } catch {
      return false;
    }
  },
};
