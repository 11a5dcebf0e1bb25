/**
 * Regular payments: every series the bank detected on the customer's accounts (bills, subscriptions
 * and income), each with its category, rhythm, average and last amount and next expected date.
 * Active series come first; those that stopped (two expected payments missed) are listed apart,
 * since upcoming bills leave them out.
 */
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatMoney, type Money } from '../../format/money';
import { formatDay } from '../../format/months';
import { useLocale } from '../../i18n/provider';
import { type RecurringPayment, useRecurringPayments } from '../../queries/insights';
import { useTheme } from '../../theme';
import { Amount, DataAge, Screen, type ScreenState, Text } from '../../ui';
import { toMoney } from '../accounts/parts';
import { useCategoryName } from './parts';

/** Money in reads as a credit, money out as a debit, as in the history. */
function signed(amount: RecurringPayment['averageAmount'], direction: RecurringPayment['direction']): Money {
  const money = toMoney(amount);
  return direction === 'out' ? { ...money, amountMinor: -money.amountMinor } : money;
}

export function RecurringScreen() {
  const { t } = useTranslation();
  const recurring = useRecurringPayments();
  const list = recurring.data ?? [];
  const state: ScreenState = recurring.isPending
    ? { status: 'loading' }
    : recurring.isError
      ? { status: 'error', detail: problemDetail(recurring.error, t), onRetry: () => void recurring.refetch() }
      : list.length === 0
        ? { status: 'empty', message: t('insights.recurring.empty') }
        : { status: 'ready' };
  const active = list.filter((series) => series.active);
  const inactive = list.filter((series) => !series.active);
  return (
    <Screen title={t('insights.recurring.title')} state={state} testID="recurring-screen">
      <DataAge updatedAt={recurring.dataUpdatedAt} />
      <Text muted>{t('insights.recurring.explain')}</Text>
      {active.length > 0 ? (
        <View style={styles.section} testID="recurring-active">
          <Text variant="heading">{t('insights.recurring.active')}</Text>
          <View role="list">
            {active.map((series) => (
              <SeriesRow key={series.id} series={series} />
            ))}
          </View>
        </View>
      ) : null}
      {inactive.length > 0 ? (
        <View style={styles.section} testID="recurring-inactive">
          <Text variant="heading">{t('insights.recurring.inactive')}</Text>
          <Text muted>{t('insights.recurring.inactiveExplain')}</Text>
          <View role="list">
            {inactive.map((series) => (
              <SeriesRow key={series.id} series={series} />
            ))}
          </View>
        </View>
      ) : null}
    </Screen>
  );
}

function SeriesRow({ series }: { readonly series: RecurringPayment }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { colors } = useTheme();
  const name = useCategoryName();
  const average = signed(series.averageAmount, series.direction);
  const texts = {
    name: series.name,
    category: name(series.category),
    frequency: t(`insights.recurring.frequency.${series.frequency}`),
    direction: t(`insights.recurring.direction.${series.direction}`),
    average: formatMoney(toMoney(series.averageAmount), locale),
    last: t('insights.recurring.last', {
      amount: formatMoney(toMoney(series.lastAmount), locale),
      date: formatDay(series.lastDate, locale),
    }),
    next: t(series.active ? 'insights.recurring.next' : 'insights.recurring.resumes', {
      date: formatDay(series.nextDate, locale),
    }),
  };
  return (
    <View
      testID={`recurring-${series.id}`}
      role="listitem"
      accessible
      // Named by what it shows (WCAG 2.5.3), and whether it still runs: the section heading is not read with it.
      accessibilityLabel={t(series.active ? 'insights.recurring.row' : 'insights.recurring.rowInactive', texts)}
      style={[styles.row, { borderColor: colors.border }]}
    >
      <View style={styles.text}>
        <Text style={series.active ? null : { color: colors.textMuted }}>{series.name}</Text>
        <Text variant="caption" muted>
          {`${texts.category} · ${texts.frequency} · ${texts.direction}`}
        </Text>
        <Text variant="caption" muted>
          {texts.last}
        </Text>
        <Text variant="caption" muted={!series.active} testID={`recurring-next-${series.id}`}>
          {texts.next}
        </Text>
      </View>
      <View style={styles.amount}>
        <Amount value={average} movement testID={`recurring-average-${series.id}`} />
        <Text variant="caption" muted>
          {t('insights.recurring.averageCaption')}
        </Text>
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  section: { gap: 4 },
  row: {
    flexDirection: 'row',
    justifyContent: 'space-between',
    alignItems: 'flex-start',
    gap: 12,
    paddingVertical: 8,
    borderBottomWidth: StyleSheet.hairlineWidth,
  },
  text: { flexShrink: 1, gap: 2 },
  amount: { alignItems: 'flex-end', gap: 2 },
});
