/**
 * Sign out of this device, after a confirmation: the session revokes the grant, forgets the tokens
 * and the cached data, and the app goes back to the front door. Shown only while signed in.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../session/context';
import { Button } from '../../ui';
import { ConfirmDialog } from './confirm-dialog';

export function SignOutButton() {
  const { t } = useTranslation();
  const session = useSession();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  if (session.status !== 'signed-in') return null;
  const signOut = async () => {
    setConfirming(false);
    setBusy(true);
    try {
      await session.signOut();
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        label={t('security.signOut.button')}
        variant="secondary"
        onPress={() => setConfirming(true)}
        busy={busy}
        testID="sign-out"
      />
      {confirming ? (
        <ConfirmDialog
          title={t('security.signOut.title')}
          message={t('security.signOut.message')}
          confirmLabel={t('security.signOut.confirm')}
          cancelLabel={t('security.cancel')}
          onConfirm={() => void signOut()}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </>
  );
}
