import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { type Payee, useDeletePayee, usePayees } from '../../queries/payees';
import { useOnline } from '../../state/network';
import { useTheme } from '../../theme';
import { Banner, Button, DataAge, Screen, Text } from '../../ui';
import { CopWarning } from './cop-warning';

export interface PaymentsHomeScreenProps {
  readonly onNewPayment: () => void;
  readonly onAddPayee: () => void;
}

/** The payments tab: start a payment, and the saved payees with their confirmation of payee result. */
export function PaymentsHomeScreen({ onNewPayment, onAddPayee }: PaymentsHomeScreenProps) {
  const { t } = useTranslation();
  return (
    <Screen title={t('payments.title')} testID="payments-screen">
      <Button testID="new-payment" label={t('payments.home.newPayment')} onPress={onNewPayment} />
      <Button testID="add-payee" variant="secondary" label={t('payments.home.addPayee')} onPress={onAddPayee} />
      <Text variant="heading">{t('payments.home.payees')}</Text>
      <PayeeList />
    </Screen>
  );
}

/** The list has its own loading, error and empty states, so the actions above stay usable. */
function PayeeList() {
  const { t } = useTranslation();
  const theme = useTheme();
  const payees = usePayees();
  if (payees.isPending) {
    return (
      <View accessible role="progressbar" aria-busy accessibilityLabel={t('state.loading')} testID="payees-loading">
        <ActivityIndicator color={theme.colors.primary} />
      </View>
    );
  }
  if (payees.isError) {
    return (
      <View style={styles.gap} testID="payees-error">
        <Banner tone="danger" message={problemDetail(payees.error, t)} />
        <Button variant="secondary" label={t('state.retry')} onPress={() => void payees.refetch()} />
      </View>
    );
  }
  if (payees.data.length === 0) {
    return (
      <Text muted testID="payees-empty">
        {t('payments.home.noPayees')}
      </Text>
    );
  }
  return (
    <View style={styles.gap} role="list">
      <DataAge updatedAt={payees.dataUpdatedAt} />
      {payees.data.map((payee) => (
        <PayeeRow key={payee.id} payee={payee} />
      ))}
    </View>
  );
}

function PayeeRow({ payee }: { readonly payee: Payee }) {
  const { t } = useTranslation();
  const theme = useTheme();
  const online = useOnline();
  const remove = useDeletePayee();
  const [confirming, setConfirming] = useState(false);
  return (
    <View
      role="listitem"
      testID={`payee-${payee.id}`}
      style={[styles.row, { borderColor: theme.colors.border, padding: theme.spacing }]}
    >
      <Text style={styles.name}>{payee.name}</Text>
      <Text muted>{payee.maskedIban}</Text>
      <CopWarning confirmation={payee.confirmation} name={payee.name} />
      {remove.isError ? <Banner tone="danger" message={problemDetail(remove.error, t)} /> : null}
      {confirming ? (
        <View style={styles.gap}>
          <Text>{t('payments.home.deleteQuestion', { name: payee.name })}</Text>
          <Button
            testID={`payee-delete-confirm-${payee.id}`}
            label={t('payments.home.deleteConfirm')}
            busy={remove.isPending}
            disabled={!online}
            disabledReason={t('payments.offline')}
            onPress={() => remove.mutate(payee.id)}
          />
          <Button
            testID={`payee-delete-cancel-${payee.id}`}
            variant="secondary"
            label={t('payments.home.deleteCancel')}
            onPress={() => setConfirming(false)}
          />
        </View>
      ) : (
        <Button
          testID={`payee-delete-${payee.id}`}
          variant="secondary"
          label={t('payments.home.delete', { name: payee.name })}
          onPress={() => setConfirming(true)}
        />
      )}
    </View>
  );
}

const styles = StyleSheet.create({
  gap: { gap: 12 },
  row: { gap: 4, borderWidth: StyleSheet.hairlineWidth, borderRadius: 8 },
  name: { fontWeight: '600' },
});
