/**
 * What the customer can do with an account: pay from it, freeze or unfreeze it, close it (after
 * confirming; the API refuses with its reason, e.g. money still on it). Offline, every action is
 * disabled and says why.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { type Account, type AccountAction, useAccountAction } from '../../queries/accounts';
import { useOnline } from '../../state/network';
import { useTheme } from '../../theme';
import { Banner, Button, Text } from '../../ui';

export interface AccountActionsProps {
  readonly account: Account;
  readonly onNewPayment: (accountId: string) => void;
  /** The account's 30-day balance forecast (the insights tab). */
  readonly onOpenForecast?: (accountId: string) => void;
}

export function AccountActions({ account, onNewPayment, onOpenForecast }: AccountActionsProps) {
  const { t } = useTranslation();
  const theme = useTheme();
  const online = useOnline();
  const action = useAccountAction(account.id);
  const [confirmingClose, setConfirmingClose] = useState(false);
  if (account.status === 'closed') return null;

  const run = (what: AccountAction) => {
    setConfirmingClose(false);
    action.mutate(what);
  };
  const offline = { disabled: !online, disabledReason: t('accounts.offlineReason') };
  const busy = (what: AccountAction) => action.isPending && action.variables === what;

  return (
    <View style={styles.gap}>
      {account.status === 'open' ? (
        <Button
          label={t('accounts.detail.newPayment')}
          onPress={() => onNewPayment(account.id)}
          {...offline}
          testID="new-payment"
        />
      ) : null}
      {onOpenForecast ? (
        <Button
          label={t('insights.forecast.open')}
          variant="secondary"
          onPress={() => onOpenForecast(account.id)}
          testID="open-forecast"
        />
      ) : null}
      <View style={styles.row}>
        {account.status === 'open' ? (
          <Button
            label={t('accounts.detail.freeze')}
            variant="secondary"
            onPress={() => run('freeze')}
            busy={busy('freeze')}
            {...offline}
            testID="freeze-account"
          />
        ) : (
          <Button
            label={t('accounts.detail.unfreeze')}
            variant="secondary"
            onPress={() => run('unfreeze')}
            busy={busy('unfreeze')}
            {...offline}
            testID="unfreeze-account"
          />
        )}
        <Button
          label={t('accounts.detail.close')}
          variant="secondary"
          onPress={() => setConfirmingClose(true)}
          busy={busy('close')}
          {...offline}
          testID="close-account"
        />
      </View>
      {confirmingClose ? (
        <View
          testID="close-confirmation"
          role="alert"
          style={[styles.confirm, { borderColor: theme.colors.danger, backgroundColor: theme.colors.surface }]}
        >
          <Text variant="heading">{t('accounts.detail.closeTitle')}</Text>
          <Text>{t('accounts.detail.closeBody')}</Text>
          <Button
            label={t('accounts.detail.closeConfirm')}
            onPress={() => run('close')}
            {...offline}
            testID="close-confirm"
          />
          <Button
            label={t('accounts.detail.closeKeep')}
            variant="secondary"
            onPress={() => setConfirmingClose(false)}
            testID="close-keep"
          />
        </View>
      ) : null}
      {action.error ? <Banner tone="danger" message={problemDetail(action.error, t)} testID="action-problem" /> : null}
    </View>
  );
}

const styles = StyleSheet.create({
  gap: { gap: 12 },
  row: { flexDirection: 'row', flexWrap: 'wrap', gap: 12 },
  confirm: { gap: 12, padding: 16, borderWidth: 1, borderRadius: 12 },
});
