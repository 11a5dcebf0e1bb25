import { Link } from 'expo-router';
import { useTranslation } from 'react-i18next';
import { View } from 'react-native';
import { SignOutButton } from '../../../src/screens/security/sign-out-button';
import { SettingsScreen } from '../../../src/screens/settings-screen';
import { useTheme } from '../../../src/theme';

type SettingsHref = '/settings/about' | '/settings/profile' | '/settings/passkeys' | '/settings/devices';

function SettingsLink({ href, label }: { readonly href: SettingsHref; readonly label: string }) {
  const theme = useTheme();
  return (
    <Link href={href} role="link" style={{ color: theme.colors.primary, fontSize: 16, paddingVertical: 12 }}>
      {label}
    </Link>
  );
}

export default function SettingsRoute() {
  const { t } = useTranslation();
  return (
    <SettingsScreen
      links={
        <View>
          <SettingsLink href="/settings/profile" label={t('security.links.profile')} />
          <SettingsLink href="/settings/passkeys" label={t('security.links.passkeys')} />
          <SettingsLink href="/settings/devices" label={t('security.links.devices')} />
          <SignOutButton />
        </View>
      }
      aboutLink={<SettingsLink href="/settings/about" label={t('settings.about')} />}
    />
  );
}
