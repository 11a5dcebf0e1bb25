/**
 * The front door: one button that hands over to the bank's sign-in page (password, then passkey
 * where the customer has one), the reason the customer is here again, and the way to register.
 * No password field lives in the app: the authorization server asks for it (docs/api/authentication.md).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { useSession } from '../../session/context';
import { Banner, Button, Screen, Text } from '../../ui';

export function SignInScreen({ onRegister }: { readonly onRegister?: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const notice = session.notice;
  const signIn = async () => {
    setBusy(true);
    try {
      await session.signIn();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Screen title={t('session.signIn.title')} testID="sign-in-screen">
      {notice ? (
        <Banner
          testID="session-notice"
          tone={notice.code === 'signed-out' ? 'warning' : 'danger'}
          message={t(`session.notice.${notice.code}`, {
            detail: notice.error === undefined ? '' : problemDetail(notice.error, t),
          })}
        />
      ) : null}
      <Text>{t('session.signIn.body')}</Text>
      <Button
        testID="sign-in"
        label={t('session.signIn.button')}
        busy={busy}
        disabled={session.status === 'starting'}
        onPress={() => void signIn()}
      />
      {onRegister && notice?.code !== 'device-unavailable' ? (
        <View style={styles.register}>
          <Text muted>{t('session.signIn.noAccount')}</Text>
          <Button
            testID="register-link"
            variant="secondary"
            label={t('session.signIn.register')}
            onPress={onRegister}
          />
        </View>
      ) : null}
    </Screen>
  );
}

const styles = StyleSheet.create({ register: { gap: 8, marginTop: 16 } });
