import { Redirect, useRouter } from 'expo-router';
import { useTranslation } from 'react-i18next';
import { KycScreen } from '../src/screens/session/kyc-screen';
import { useSession } from '../src/session/context';
import { Screen } from '../src/ui';

export default function KycRoute() {
  const { t } = useTranslation();
  const router = useRouter();
  const session = useSession();
  if (session.status === 'starting') return <Screen title={t('session.starting')} state={{ status: 'loading' }} />;
  if (session.status === 'signed-out') return <Redirect href="/sign-in" />;
  return <KycScreen onContinue={() => router.replace('/home')} />;
}
