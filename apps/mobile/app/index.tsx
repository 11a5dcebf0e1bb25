import { Redirect } from 'expo-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../src/session/context';
import { Screen } from '../src/ui';

/** The front door: the accounts when signed in, the sign-in otherwise. */
export default function Index() {
  const { t } = useTranslation();
  const session = useSession();
  if (session.status === 'starting') return <Screen title={t('session.starting')} state={{ status: 'loading' }} />;
  return <Redirect href={session.status === 'signed-in' ? '/home' : '/sign-in'} />;
}
