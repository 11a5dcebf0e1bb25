/**
 * Where the web sign-in comes back (`${PUBLIC_URL}/auth/callback?code&state&iss`): the pending
 * sign-in is checked against the answer (state, issuer) and the code exchanged, once; then the app
 * opens where the customer was. A failed answer goes back to the sign-in with the reason.
 */
import { useRouter } from 'expo-router';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../src/session/context';
import { Screen } from '../../src/ui';

export default function SignInCallback() {
  const { t } = useTranslation();
  const router = useRouter();
  const session = useSession();
  const started = useRef(false);
  useEffect(() => {
    if (started.current || session.status === 'starting') return;
    started.current = true;
    const href = (globalThis as { location?: { href?: string } }).location?.href ?? '';
    session.completeSignIn(href).then(
      (returnTo) => router.replace(returnTo as never),
      () => router.replace('/sign-in'),
    );
  }, [session, router]);
  return <Screen title={t('session.callback.finishing')} state={{ status: 'loading' }} />;
}
