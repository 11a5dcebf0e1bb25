import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { moneyFromDecimal } from '../../format/money';
import { useLocale } from '../../i18n/provider';
import { useAccounts } from '../../queries/accounts';
import { useTransfer } from '../../queries/transfers';
import { Amount, Button, DataAge, Screen, type ScreenState, Text } from '../../ui';
import { ReviewNotice } from './review-notice';

/**
 * One transfer as the API keeps it: status, amount, both sides, reference and its dates; a transfer
 * held for a fraud review says so (pending, the money reserved) and why, and a rejected one why not.
 */
export function TransferScreen({ id, onBack }: { readonly id: string; readonly onBack: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const transfer = useTransfer(id);
  // Only for the names of the customer's own accounts; without them the ids still say which.
  const accounts = useAccounts();
  const state: ScreenState = transfer.isPending
    ? { status: 'loading' }
    : transfer.isError
      ? { status: 'error', detail: problemDetail(transfer.error, t), onRetry: () => void transfer.refetch() }
      : { status: 'ready' };
  const data = transfer.data;
  const accountName = (accountId: string) => {
    const account = accounts.data?.find((a) => a.id === accountId);
    return account ? `${account.name} (${account.maskedIban})` : accountId;
  };
  return (
    <Screen title={t('payments.transfer.title')} state={state} testID="transfer-screen">
      {data ? (
        <View style={styles.details}>
          <DataAge updatedAt={transfer.dataUpdatedAt} />
          <Amount
            testID="transfer-amount"
            value={moneyFromDecimal(data.amount.amount, data.amount.currency)}
            variant="title"
          />
          <Detail
            label={t('payments.transfer.status')}
            value={t(`payments.status.${data.status}`)}
            testID="transfer-status"
          />
          {data.review ? <ReviewNotice review={data.review} testID="transfer-review" /> : null}
          <Detail label={t('payments.transfer.from')} value={accountName(data.fromAccountId)} testID="transfer-from" />
          <Detail
            label={t('payments.transfer.to')}
            value={
              data.toAccountId
                ? accountName(data.toAccountId)
                : `${data.counterparty.name} (${data.counterparty.maskedIban})`
            }
            testID="transfer-to"
          />
          <Detail
            label={t('payments.transfer.reference')}
            value={data.reference || t('payments.review.noReference')}
            testID="transfer-reference"
          />
          <Detail
            label={t('payments.transfer.created')}
            value={formatDate(data.createdAt, locale, { withTime: true })}
            testID="transfer-created"
          />
          <Detail
            label={t('payments.transfer.posted')}
            value={
              data.postedAt ? formatDate(data.postedAt, locale, { withTime: true }) : t('payments.transfer.notPosted')
            }
            testID="transfer-posted"
          />
        </View>
      ) : null}
      <Button testID="transfer-back" variant="secondary" label={t('payments.transfer.back')} onPress={onBack} />
    </Screen>
  );
}

function Detail({ label, value, testID }: { readonly label: string; readonly value: string; readonly testID: string }) {
  return (
    <View testID={testID} accessible accessibilityLabel={`${label}: ${value}`} style={styles.detail}>
      <Text muted variant="caption">
        {label}
      </Text>
      <Text>{value}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  details: { gap: 12 },
  detail: { gap: 2 },
});
