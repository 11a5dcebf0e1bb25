/**
 * Signed-in devices: every open session (device name, coarse network, signed in, last active), this
 * device marked as the API says, and signing another one out. This device signs out from the
 * settings screen's Sign out, which also forgets its tokens; here it is only marked.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { type DeviceSession, useSessions, useSignOutDevice } from '../../queries/sessions';
import { useOnline } from '../../state/network';
import { useTheme } from '../../theme';
import { Banner, DataAge, Screen, Text } from '../../ui';
import { ConfirmDialog } from './confirm-dialog';
import { queryState } from './query-state';
import { RowAction } from './row-action';

export function DevicesScreen() {
  const { t } = useTranslation();
  const sessions = useSessions();
  const signOut = useSignOutDevice();
  const online = useOnline();
  const [ending, setEnding] = useState<DeviceSession | undefined>();
  const list = sessions.data ?? [];
  const state =
    list.length === 0 && sessions.data
      ? { status: 'empty' as const, message: t('security.devices.empty') }
      : queryState(sessions, t);
  return (
    <Screen title={t('security.devices.title')} state={state} testID="devices-screen">
      <DataAge updatedAt={sessions.dataUpdatedAt} />
      <Text muted>{t('security.devices.intro')}</Text>
      {signOut.isSuccess ? (
        <Text role="status" aria-live="polite" testID="device-signed-out">
          {t('security.devices.signedOut')}
        </Text>
      ) : null}
      {signOut.error ? (
        <Banner tone="danger" message={problemDetail(signOut.error, t)} testID="device-problem" />
      ) : null}
      <View role="list" style={styles.list}>
        {list.map((session) => (
          <DeviceRow key={session.id} session={session} online={online} onSignOut={() => setEnding(session)} />
        ))}
      </View>
      {ending ? (
        <ConfirmDialog
          title={t('security.devices.signOutTitle')}
          message={t('security.devices.signOutMessage', { name: ending.deviceName })}
          confirmLabel={t('security.devices.signOutConfirm')}
          cancelLabel={t('security.cancel')}
          onConfirm={() => {
            setEnding(undefined);
            signOut.mutate(ending.id);
          }}
          onCancel={() => setEnding(undefined)}
        />
      ) : null}
    </Screen>
  );
}

function DeviceRow({
  session,
  online,
  onSignOut,
}: {
  readonly session: DeviceSession;
  readonly online: boolean;
  readonly onSignOut: () => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const theme = useTheme();
  return (
    <View
      role="listitem"
      testID={`device-row-${session.id}`}
      style={[styles.row, { borderColor: theme.colors.border, backgroundColor: theme.colors.surface }]}
    >
      <Text style={styles.name}>{session.deviceName}</Text>
      {session.current ? (
        <Text testID="this-device" style={{ color: theme.colors.primary, fontWeight: '600' }}>
          {t('security.devices.thisDevice')}
        </Text>
      ) : null}
      <Text muted>
        {t('security.devices.signedIn', { date: formatDate(session.createdAt, locale, { withTime: true }) })}
      </Text>
      <Text muted>
        {t('security.devices.lastSeen', { date: formatDate(session.lastUsedAt, locale, { withTime: true }) })}
      </Text>
      <Text variant="caption" muted>
        {t('security.devices.network', { network: session.network })}
      </Text>
      {session.current ? (
        <Text variant="caption" muted>
          {t('security.devices.currentHint')}
        </Text>
      ) : (
        <View style={styles.actions}>
          <RowAction
            label={t('security.devices.signOut')}
            accessibilityLabel={t('security.devices.signOutA11y', { name: session.deviceName })}
            onPress={onSignOut}
            disabled={!online}
            disabledReason={t('security.offline')}
            testID={`device-sign-out-${session.id}`}
          />
        </View>
      )}
    </View>
  );
}

const styles = StyleSheet.create({
  list: { gap: 12 },
  row: { borderWidth: 1, borderRadius: 8, padding: 12, gap: 4 },
  name: { fontWeight: '600', fontSize: 17 },
  actions: { flexDirection: 'row', flexWrap: 'wrap', gap: 8 },
});
