import { Link } from 'expo-router';
import { useTranslation } from 'react-i18next';
import { SettingsScreen } from '../../../src/screens/settings-screen';
import { useTheme } from '../../../src/theme';

export default function SettingsRoute() {
  const { t } = useTranslation();
  const theme = useTheme();
  return (
    <SettingsScreen
      aboutLink={
        <Link
          href="/settings/about"
          role="link"
          style={{ color: theme.colors.primary, fontSize: 16, paddingVertical: 12 }}
        >
          {t('settings.about')}
        </Link>
      }
    />
  );
}
