/**
 * An account's balance forecast: the closing balance of each of the next 30 days as a column
 * chart drawn with Views (below zero in the danger colour), the lowest day and the last, and a
 * warning when it may go below zero.
 */
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatMoney, type Money } from '../../format/money';
import { formatDay } from '../../format/months';
import { useLocale } from '../../i18n/provider';
import { useAccount } from '../../queries/accounts';
import { useForecast } from '../../queries/insights';
import { useTheme } from '../../theme';
import { Banner, DataAge, Screen, type ScreenState, Text } from '../../ui';
import { toMoney } from '../accounts/parts';
import { largestMinor, perMille, smallestMinor } from './parts';

const chartHeightPx = 140;

interface Day {
  readonly date: string;
  readonly balance: Money;
}

export function ForecastScreen({ accountId }: { readonly accountId: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const forecast = useForecast(accountId);
  // Only for the account's name; without it the forecast still shows.
  const account = useAccount(accountId);
  const days: Day[] = (forecast.data?.days ?? []).map((d) => ({ date: d.date, balance: toMoney(d.balance) }));
  const state: ScreenState = forecast.isPending
    ? { status: 'loading' }
    : forecast.isError
      ? { status: 'error', detail: problemDetail(forecast.error, t), onRetry: () => void forecast.refetch() }
      : days.length === 0
        ? { status: 'empty', message: t('insights.forecast.empty') }
        : { status: 'ready' };
  const lowest = days.reduce<Day | undefined>(
    (low, d) => (low === undefined || d.balance.amountMinor < low.balance.amountMinor ? d : low),
    undefined,
  );
  const last = days.at(-1);
  const firstBelowZero = days.find((d) => d.balance.amountMinor < 0n);
  return (
    <Screen title={t('insights.forecast.title')} state={state} testID="forecast-screen">
      <DataAge updatedAt={forecast.dataUpdatedAt} />
      {account.data ? (
        <Text variant="heading" testID="forecast-account">
          {t('insights.forecast.account', { name: account.data.name, maskedIban: account.data.maskedIban })}
        </Text>
      ) : null}
      <Text muted>{t('insights.forecast.explain')}</Text>
      {firstBelowZero ? (
        <Banner
          tone="danger"
          testID="forecast-below-zero"
          message={t('insights.forecast.belowZero', { date: formatDay(firstBelowZero.date, locale) })}
        />
      ) : null}
      {lowest ? (
        <Text testID="forecast-lowest">
          {t('insights.forecast.lowest', {
            amount: formatMoney(lowest.balance, locale),
            date: formatDay(lowest.date, locale),
          })}
        </Text>
      ) : null}
      {last ? (
        <Text testID="forecast-end">
          {t('insights.forecast.end', {
            amount: formatMoney(last.balance, locale),
            date: formatDay(last.date, locale),
          })}
        </Text>
      ) : null}
      {days.length > 0 ? <ForecastChart days={days} /> : null}
    </Screen>
  );
}

/** Columns from a zero line: up for a positive balance, down (danger) for a negative one. */
function ForecastChart({ days }: { readonly days: readonly Day[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { colors } = useTheme();
  const highest = largestMinor(days.map((d) => d.balance.amountMinor));
  const deepest = smallestMinor(days.map((d) => d.balance.amountMinor));
  const range = highest - deepest;
  const above = range === 0n ? chartHeightPx : (perMille(highest, range) * chartHeightPx) / 1000;
  const below = chartHeightPx - above;
  return (
    <View testID="forecast-chart" role="group" accessibilityLabel={t('insights.forecast.chart')} style={styles.chart}>
      {days.map((d) => {
        const negative = d.balance.amountMinor < 0n;
        const magnitude = negative ? -d.balance.amountMinor : d.balance.amountMinor;
        const height = range === 0n ? 0 : (perMille(magnitude, range) * chartHeightPx) / 1000;
        return (
          <View
            key={d.date}
            testID={`forecast-day-${d.date}`}
            accessible
            role="img"
            accessibilityLabel={t('insights.forecast.bar', {
              date: formatDay(d.date, locale),
              amount: formatMoney(d.balance, locale),
            })}
            style={styles.column}
          >
            <View style={[styles.half, { height: above, justifyContent: 'flex-end' }]}>
              {negative ? null : <View style={{ height: Math.max(1, height), backgroundColor: colors.primary }} />}
            </View>
            <View style={[styles.zero, { backgroundColor: colors.border }]} />
            <View style={[styles.half, { height: below }]}>
              {negative ? <View style={{ height: Math.max(1, height), backgroundColor: colors.danger }} /> : null}
            </View>
          </View>
        );
      })}
    </View>
  );
}

const styles = StyleSheet.create({
  chart: { flexDirection: 'row', alignItems: 'flex-start', gap: 2 },
  column: { flex: 1 },
  half: { width: '100%' },
  zero: { height: 1, width: '100%' },
});
