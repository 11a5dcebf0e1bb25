import { useRouter } from 'expo-router';
import { useTranslation } from 'react-i18next';
import { RegisterScreen } from '../../src/screens/session/register-screen';
import { useSession } from '../../src/session/context';
import { Screen } from '../../src/ui';

export default function RegisterRoute() {
  const { t } = useTranslation();
  const router = useRouter();
  const session = useSession();
  // Registration talks to the API through this device's client, which exists once the device opened.
  if (session.status === 'starting') return <Screen title={t('session.starting')} state={{ status: 'loading' }} />;
  return <RegisterScreen onSignIn={() => router.replace('/sign-in')} />;
}
