/**
 * Upcoming bills: payments of the customer's active regular series expected in the next 30 days,
 * by date, and the way to all regular payments (income and stopped series included).
 */
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatMoney, type Money } from '../../format/money';
import { formatDay } from '../../format/months';
import { useLocale } from '../../i18n/provider';
import { type UpcomingBill, upcomingBillsDays, useUpcomingBills } from '../../queries/insights';
import { useTheme } from '../../theme';
import { Amount, DataAge, Screen, type ScreenState, Text } from '../../ui';
import { toMoney } from '../accounts/parts';
import { LinkRow, useCategoryName } from './parts';

/** The bills' total per currency (a customer may hold accounts in more than one). */
function totals(bills: readonly UpcomingBill[]): Money[] {
  const sums = new Map<string, bigint>();
  for (const bill of bills) {
    const { amountMinor, currency } = toMoney(bill.amount);
    sums.set(currency, (sums.get(currency) ?? 0n) + amountMinor);
  }
  return [...sums].map(([currency, amountMinor]) => ({ currency, amountMinor }));
}

export interface BillsScreenProps {
  readonly onOpenRecurring: () => void;
}

export function BillsScreen({ onOpenRecurring }: BillsScreenProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const bills = useUpcomingBills();
  const list = bills.data ?? [];
  // No bills is still "ready": the way to all regular payments (perhaps stopped ones) stays on screen.
  const state: ScreenState = bills.isPending
    ? { status: 'loading' }
    : bills.isError
      ? { status: 'error', detail: problemDetail(bills.error, t), onRetry: () => void bills.refetch() }
      : { status: 'ready' };
  return (
    <Screen title={t('insights.bills.title')} state={state} testID="bills-screen">
      <DataAge updatedAt={bills.dataUpdatedAt} />
      <Text muted>{t('insights.bills.explain')}</Text>
      {list.length === 0 ? (
        <Text muted testID="bills-empty">
          {t('insights.bills.empty', { days: upcomingBillsDays })}
        </Text>
      ) : null}
      {totals(list).map((total) => (
        <Text variant="heading" key={total.currency} testID={`bills-total-${total.currency}`}>
          {t('insights.bills.total', { days: upcomingBillsDays, amount: formatMoney(total, locale) })}
        </Text>
      ))}
      <View role="list">
        {list.map((bill, i) => (
          <BillRow key={`${bill.accountId}-${bill.date}-${bill.name}`} bill={bill} testID={`bill-${i}`} />
        ))}
      </View>
      <LinkRow testID="open-recurring" label={t('insights.bills.allRecurring')} onPress={onOpenRecurring} />
    </Screen>
  );
}

function BillRow({ bill, testID }: { readonly bill: UpcomingBill; readonly testID: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { colors } = useTheme();
  const name = useCategoryName();
  const amount = toMoney(bill.amount);
  const date = formatDay(bill.date, locale);
  const label = t('insights.bills.row', {
    date,
    name: bill.name,
    amount: formatMoney(amount, locale),
    category: name(bill.category),
  });
  return (
    <View
      testID={testID}
      role="listitem"
      accessible
      accessibilityLabel={label}
      style={[styles.row, { borderColor: colors.border }]}
    >
      <View style={styles.text}>
        <Text>{bill.name}</Text>
        <Text variant="caption" muted>
          {`${date} · ${name(bill.category)}`}
        </Text>
      </View>
      <Amount value={amount} />
    </View>
  );
}

const styles = StyleSheet.create({
  row: {
    flexDirection: 'row',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: 12,
    paddingVertical: 8,
    borderBottomWidth: StyleSheet.hairlineWidth,
  },
  text: { flexShrink: 1, gap: 2 },
});
