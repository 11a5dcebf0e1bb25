import Constants from 'expo-constants';
import { useTranslation } from 'react-i18next';
import { Screen, Text } from '../ui';

export function AboutScreen({ version = Constants.expoConfig?.version ?? '0.0.0' }: { version?: string }) {
  const { t } = useTranslation();
  return (
    <Screen title={t('about.title')} testID="about-screen">
      <Text>{t('about.version', { version })}</Text>
      <Text>{t('about.licence')}</Text>
      <Text>{t('about.biometrics')}</Text>
    </Screen>
  );
}
