/**
 * Expo app config. Identifiers and domains come from the environment at build time (EAS profiles
 * set them in eas.json), the same settings the API serves its association files from:
 * - APP_DOMAIN: the host of PUBLIC_URL (applinks/webcredentials for passkeys, Android app links)
 * - IOS_BUNDLE_ID / ANDROID_APP_PACKAGE: the store identifiers
 * The auth redirect is the custom scheme `nextgen://oauth/callback` (MOBILE_REDIRECT_URIS).
 */
import type { ConfigContext, ExpoConfig } from 'expo/config';

const domain = process.env.APP_DOMAIN ?? 'localhost';
const iosBundleId = process.env.IOS_BUNDLE_ID ?? 'org.nextgen.bank';
const androidPackage = process.env.ANDROID_APP_PACKAGE ?? 'org.nextgen.bank';

export default ({ config }: ConfigContext): ExpoConfig => ({
  ...config,
  name: 'NextGen',
  slug: 'nextgen',
  version: '0.1.0',
  orientation: 'portrait',
  scheme: 'nextgen',
  userInterfaceStyle: 'automatic',
  ios: {
    bundleIdentifier: iosBundleId,
    supportsTablet: true,
    // webcredentials: passkeys for the relying party; applinks: https links open the app.
    associatedDomains: [`applinks:${domain}`, `webcredentials:${domain}`],
    infoPlist: {
      NSFaceIDUsageDescription: 'NextGen uses Face ID to unlock the app on this device.',
    },
  },
  android: {
    package: androidPackage,
    intentFilters: [
      {
        action: 'VIEW',
        autoVerify: true,
        data: [{ scheme: 'https', host: domain, pathPrefix: '/' }],
        category: ['BROWSABLE', 'DEFAULT'],
      },
    ],
  },
  web: {
    bundler: 'metro',
    output: 'single',
  },
  plugins: [
    'expo-router',
    ['expo-local-authentication', { faceIDPermission: 'NextGen uses Face ID to unlock the app on this device.' }],
  ],
  experiments: { typedRoutes: false },
});
