/**
 * The insights tab: a month's spending by category as a bar chart, the six-month trend (a bar per
 * month; pressing one shows that month), and the ways to budgets, upcoming bills, regular
 * payments, the insight feed and each account's balance forecast.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatMoney } from '../../format/money';
import { formatMonth, formatShare, monthOf, shiftMonth } from '../../format/months';
import { useLocale } from '../../i18n/provider';
import { useAccounts } from '../../queries/accounts';
import { type Spending, useInsightFeed, useSpending } from '../../queries/insights';
import { useTheme } from '../../theme';
import { Amount, Button, DataAge, Screen, type ScreenState, Text } from '../../ui';
import { toMoney } from '../accounts/parts';
import { Bar, LinkRow, largestMinor, perMille, useCategoryName } from './parts';

export interface InsightsScreenProps {
  readonly onOpenBudgets: () => void;
  readonly onOpenBills: () => void;
  readonly onOpenRecurring: () => void;
  readonly onOpenFeed: () => void;
  readonly onOpenForecast: (accountId: string) => void;
  /** Today, for the current month (tests pass a fixed one). */
  readonly now?: Date;
}

export function InsightsScreen(props: InsightsScreenProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const current = monthOf(props.now ?? new Date());
  const [month, setMonth] = useState(current);
  const spending = useSpending(month);
  const monthName = formatMonth(month, locale);
  const state: ScreenState = spending.isPending
    ? { status: 'loading' }
    : spending.isError
      ? { status: 'error', detail: problemDetail(spending.error, t), onRetry: () => void spending.refetch() }
      : { status: 'ready' };
  return (
    <Screen title={t('insights.title')} state={state} testID="insights-screen">
      {spending.data ? (
        <>
          <DataAge updatedAt={spending.dataUpdatedAt} />
          <View style={styles.row}>
            <View style={styles.grow}>
              <Button
                testID="spending-previous"
                variant="secondary"
                label={t('insights.spending.previousMonth')}
                onPress={() => setMonth(shiftMonth(month, -1))}
              />
            </View>
            <View style={styles.grow}>
              <Button
                testID="spending-next"
                variant="secondary"
                label={t('insights.spending.nextMonth')}
                onPress={() => setMonth(shiftMonth(month, 1))}
                disabled={month >= current}
              />
            </View>
          </View>
          <Text variant="heading" testID="spending-month" aria-live="polite">
            {t('insights.spending.total', { month: monthName })}
          </Text>
          <Amount testID="spending-total" value={toMoney(spending.data.total)} variant="title" />
          <CategoryChart spending={spending.data} monthName={monthName} />
          <TrendChart spending={spending.data} selected={month} onSelect={setMonth} />
        </>
      ) : null}
      <MoreInsights {...props} />
    </Screen>
  );
}

function CategoryChart({ spending, monthName }: { readonly spending: Spending; readonly monthName: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const name = useCategoryName();
  if (spending.categories.length === 0 || toMoney(spending.total).amountMinor === 0n) {
    return (
      <Text muted testID="spending-empty">
        {t('insights.spending.empty', { month: monthName })}
      </Text>
    );
  }
  // Largest first (as the API sends them): the longest bar is the track's full length.
  const largest = largestMinor(spending.categories.map((c) => toMoney(c.amount).amountMinor));
  return (
    <View
      testID="spending-chart"
      role="group"
      accessibilityLabel={t('insights.spending.chart', { month: monthName })}
      style={styles.chart}
    >
      <Text variant="heading">{t('insights.spending.byCategory')}</Text>
      {spending.categories.map((c) => {
        const amount = toMoney(c.amount);
        const label = t('insights.spending.bar', {
          category: name(c.category),
          amount: formatMoney(amount, locale),
          share: formatShare(c.share, locale),
          trend: t(`insights.spending.trend.${c.trend}`, { previous: formatMoney(toMoney(c.previous), locale) }),
        });
        return (
          <View key={c.category} style={styles.bar}>
            <View style={styles.barText} aria-hidden>
              <Text>{name(c.category)}</Text>
              <Amount value={amount} />
            </View>
            <Bar testID={`spending-bar-${c.category}`} label={label} perMille={perMille(amount.amountMinor, largest)} />
          </View>
        );
      })}
    </View>
  );
}

/** Columns drawn as Views: each the month's total against the largest of the six. */
const trendHeightPx = 120;

function TrendChart({
  spending,
  selected,
  onSelect,
}: {
  readonly spending: Spending;
  readonly selected: string;
  readonly onSelect: (month: string) => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { colors, minTouchSize } = useTheme();
  const largest = largestMinor(spending.months.map((m) => toMoney(m.total).amountMinor));
  return (
    <View testID="spending-trend" style={styles.chart}>
      <Text variant="heading">{t('insights.spending.trendTitle')}</Text>
      <View role="group" accessibilityLabel={t('insights.spending.trendChart')} style={styles.columns}>
        {spending.months.map((m) => {
          const total = toMoney(m.total);
          const chosen = m.month === selected;
          const values = { month: formatMonth(m.month, locale), amount: formatMoney(total, locale) };
          const height = Math.max(2, (perMille(total.amountMinor, largest) * trendHeightPx) / 1000);
          return (
            <Pressable
              key={m.month}
              testID={`spending-trend-${m.month}`}
              role="button"
              accessibilityLabel={t(
                chosen ? 'insights.spending.trendBarSelected' : 'insights.spending.trendBar',
                values,
              )}
              accessibilityState={{ selected: chosen }}
              onPress={() => onSelect(m.month)}
              style={[styles.column, { minWidth: minTouchSize, minHeight: trendHeightPx + minTouchSize }]}
            >
              <View style={[styles.columnTrack, { height: trendHeightPx }]}>
                <View
                  style={{
                    height,
                    borderRadius: 4,
                    backgroundColor: chosen ? colors.primary : colors.textMuted,
                  }}
                />
              </View>
              <Text variant="caption" style={chosen ? styles.strong : null}>
                {formatMonth(m.month, locale, 'short')}
              </Text>
            </Pressable>
          );
        })}
      </View>
    </View>
  );
}

function MoreInsights({
  onOpenBudgets,
  onOpenBills,
  onOpenRecurring,
  onOpenFeed,
  onOpenForecast,
}: InsightsScreenProps) {
  const { t } = useTranslation();
  const feed = useInsightFeed();
  const accounts = useAccounts();
  const open = feed.data?.length ?? 0;
  return (
    <View style={styles.more} testID="insights-more">
      <Text variant="heading">{t('insights.more.title')}</Text>
      <LinkRow
        testID="open-feed"
        label={open > 0 ? t('insights.more.feedCount', { count: open }) : t('insights.more.feed')}
        onPress={onOpenFeed}
      />
      <LinkRow testID="open-budgets" label={t('insights.more.budgets')} onPress={onOpenBudgets} />
      <LinkRow testID="open-bills" label={t('insights.more.bills')} onPress={onOpenBills} />
      <LinkRow testID="open-recurring" label={t('insights.more.recurring')} onPress={onOpenRecurring} />
      {(accounts.data ?? [])
        .filter((a) => a.status !== 'closed')
        .map((a) => (
          <LinkRow
            key={a.id}
            testID={`open-forecast-${a.id}`}
            label={t('insights.more.forecast', { name: a.name })}
            onPress={() => onOpenForecast(a.id)}
          />
        ))}
    </View>
  );
}

const styles = StyleSheet.create({
  row: { flexDirection: 'row', gap: 12 },
  grow: { flex: 1 },
  chart: { gap: 12 },
  bar: { gap: 4 },
  barText: { flexDirection: 'row', justifyContent: 'space-between', gap: 12 },
  columns: { flexDirection: 'row', justifyContent: 'space-between', gap: 4 },
  column: { flex: 1, alignItems: 'center', justifyContent: 'flex-end', gap: 4 },
  columnTrack: { width: '60%', justifyContent: 'flex-end' },
  strong: { fontWeight: '700' },
  more: { gap: 4 },
});
