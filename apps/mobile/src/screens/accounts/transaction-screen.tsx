/**
 * One movement, from the history already loaded (there is no GET /transactions/{id}); when it is
 * not cached, the account's history is paged through to find it, else it is "not found".
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { type Transaction, useTransaction } from '../../queries/transactions';
import { useTheme } from '../../theme';
import { Amount, DataAge, Screen, Text } from '../../ui';
import { CategoryCorrection } from './category-correction';
import { toMoney } from './parts';
import { signedAmount, transactionStatusText, transactionTitle } from './transaction-row';

export interface TransactionScreenProps {
  readonly accountId: string;
  readonly transactionId: string;
}

export function TransactionScreen({ accountId, transactionId }: TransactionScreenProps) {
  const { t } = useTranslation();
  const transaction = useTransaction(accountId, transactionId);
  const title = t('accounts.transaction.title');
  if (transaction.data === undefined) {
    return transaction.isPending ? (
      <Screen title={title} state={{ status: 'loading' }} />
    ) : (
      <Screen
        title={title}
        state={{
          status: 'error',
          detail: problemDetail(transaction.error, t),
          onRetry: () => void transaction.refetch(),
        }}
      />
    );
  }
  if (transaction.data === null) {
    return (
      <Screen
        testID="transaction-screen"
        title={title}
        state={{ status: 'empty', message: t('accounts.transaction.notFound') }}
      />
    );
  }
  return (
    <Screen testID="transaction-screen" title={title}>
      <DataAge updatedAt={transaction.dataUpdatedAt} />
      <TransactionDetails transaction={transaction.data} />
    </Screen>
  );
}

function TransactionDetails({ transaction }: { readonly transaction: Transaction }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const when = (iso: string) => formatDate(iso, locale, { withTime: true });
  return (
    <View style={styles.gap}>
      <Text variant="heading">{transactionTitle(transaction, t)}</Text>
      <Amount value={signedAmount(transaction)} movement variant="title" testID="transaction-amount" />
      <Field label={t('accounts.transaction.direction')}>{t(`accounts.direction.${transaction.direction}`)}</Field>
      <Field label={t('accounts.transaction.status')}>{transactionStatusText(transaction, t)}</Field>
      <Field label={t('accounts.transaction.counterparty')}>
        {transaction.counterparty
          ? `${transaction.counterparty.name} · ${transaction.counterparty.maskedIban}`
          : t('accounts.transaction.noCounterparty')}
      </Field>
      <Field label={t('accounts.transaction.reference')}>
        {transaction.description || t('accounts.transaction.noReference')}
      </Field>
      <CategoryCorrection transaction={transaction} />
      <Field label={t('accounts.transaction.created')}>{when(transaction.createdAt)}</Field>
      <Field label={t('accounts.transaction.posted')}>
        {transaction.postedAt ? when(transaction.postedAt) : t('accounts.transaction.notPosted')}
      </Field>
      {transaction.balanceAfter ? (
        <View style={styles.field}>
          <Text muted>{t('accounts.transaction.balanceAfter')}</Text>
          <Amount value={toMoney(transaction.balanceAfter)} testID="transaction-balance-after" />
        </View>
      ) : null}
    </View>
  );
}

function Field({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  const theme = useTheme();
  return (
    <View style={[styles.field, { borderColor: theme.colors.border }]}>
      <Text muted>{label}</Text>
      <Text>{children}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  gap: { gap: 12 },
  field: { gap: 2, paddingBottom: 8, borderBottomWidth: StyleSheet.hairlineWidth },
});
