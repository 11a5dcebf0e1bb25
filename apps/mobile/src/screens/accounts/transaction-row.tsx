import { useTranslation } from 'react-i18next';
import { Pressable, StyleSheet, View } from 'react-native';
import { formatDate } from '../../format/dates';
import type { Money } from '../../format/money';
import { useLocale } from '../../i18n/provider';
import type { Transaction } from '../../queries/transactions';
import { useTheme } from '../../theme';
import { Amount, Text } from '../../ui';
import { toMoney } from './parts';

/** The API sends positive amounts and a direction; on screen a debit reads as a negative movement. */
export function signedAmount(transaction: Transaction): Money {
  const amount = toMoney(transaction.amount);
  return transaction.direction === 'debit' ? { ...amount, amountMinor: -amount.amountMinor } : amount;
}

/** What a movement is called: its description, else who it was with, else its direction. */
export function transactionTitle(transaction: Transaction, t: (key: string) => string): string {
  return transaction.description || transaction.counterparty?.name || t(`accounts.direction.${transaction.direction}`);
}

/**
 * What became of a movement, in words: its reason when the app knows it (a payment the bank declined
 * after its fraud review reads as that, not as "Cancelled"), else its status. A reason this version
 * does not know reads as no reason, as the API asks (docs/api/banking.md).
 */
export function transactionStatusText(transaction: Transaction, t: (key: string) => string): string {
  if (transaction.statusReason === 'review_rejected') return t('accounts.txStatusReason.review_rejected');
  return t(`accounts.txStatus.${transaction.status}`);
}

export function TransactionRow({
  transaction,
  onPress,
}: {
  readonly transaction: Transaction;
  readonly onPress: () => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const theme = useTheme();
  const amount = signedAmount(transaction);
  const title = transactionTitle(transaction, t);
  const date = formatDate(transaction.createdAt, locale);
  const status = transaction.status === 'posted' ? undefined : transactionStatusText(transaction, t);
  return (
    <Pressable
      testID={`transaction-row-${transaction.id}`}
      role="button"
      // Named by what it shows (what, when, status, amount), so saying what is seen names it (WCAG 2.5.3).
      onPress={onPress}
      style={({ pressed }) => [
        styles.row,
        { minHeight: theme.minTouchSize, borderColor: theme.colors.border, opacity: pressed ? 0.8 : 1 },
      ]}
    >
      <View style={styles.text}>
        <Text numberOfLines={1}>{title}</Text>
        <Text variant="caption" muted>
          {status ? `${date} · ${status}` : date}
        </Text>
      </View>
      <Amount value={amount} movement />
    </Pressable>
  );
}

const styles = StyleSheet.create({
  row: {
    flexDirection: 'row',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: 12,
    paddingVertical: 8,
    borderBottomWidth: StyleSheet.hairlineWidth,
  },
  text: { flexShrink: 1, gap: 2 },
});
