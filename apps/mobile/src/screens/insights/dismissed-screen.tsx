/**
 * Dismissed insights (GET /insights?dismissed=true): what the customer put away from the feed,
 * newest first, each with when it was dismissed. Read-only: the API has no way to bring one back.
 * Older pages load on request, up to dismissedInsightPagesMax.
 */
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import {
  dismissedInsightPagesMax,
  type InsightPage,
  insightFeedPageSize,
  useDismissedInsights,
} from '../../queries/insights';
import { useTheme } from '../../theme';
import { Banner, Button, DataAge, Screen, type ScreenState, Text } from '../../ui';
import { InsightCard } from './feed-screen';

export function DismissedInsightsScreen() {
  const { t } = useTranslation();
  const dismissed = useDismissedInsights();
  const list = dismissed.data?.pages.flatMap((page) => page.data) ?? [];
  const state: ScreenState = dismissed.isPending
    ? { status: 'loading' }
    : dismissed.isError && !dismissed.isFetchNextPageError
      ? { status: 'error', detail: problemDetail(dismissed.error, t), onRetry: () => void dismissed.refetch() }
      : list.length === 0
        ? { status: 'empty', message: t('insights.dismissed.empty') }
        : { status: 'ready' };
  return (
    <Screen title={t('insights.dismissed.title')} state={state} testID="dismissed-screen">
      <DataAge updatedAt={dismissed.dataUpdatedAt} />
      <Text muted>{t('insights.dismissed.explain')}</Text>
      <View role="list" style={styles.list}>
        {list.map((insight) => (
          <InsightCard key={insight.id} insight={insight} />
        ))}
      </View>
      <OlderInsights dismissed={dismissed} />
    </Screen>
  );
}

/** Whether the list stopped at dismissedInsightPagesMax while the API had older pages. */
function capped(pages: readonly InsightPage[] | undefined): boolean {
  return Boolean(pages && pages.length >= dismissedInsightPagesMax && pages.at(-1)?.nextCursor);
}

function OlderInsights({ dismissed }: { readonly dismissed: ReturnType<typeof useDismissedInsights> }) {
  const { t } = useTranslation();
  const theme = useTheme();
  if (dismissed.isFetchingNextPage) {
    return (
      <View accessible role="progressbar" aria-busy accessibilityLabel={t('state.loading')} style={styles.centre}>
        <ActivityIndicator color={theme.colors.primary} />
        <Text muted>{t('state.loading')}</Text>
      </View>
    );
  }
  if (dismissed.isFetchNextPageError) {
    return (
      <View style={styles.list} testID="dismissed-older-error">
        <Banner tone="danger" message={problemDetail(dismissed.error, t)} />
        <Button label={t('state.retry')} onPress={() => void dismissed.fetchNextPage()} testID="dismissed-retry" />
      </View>
    );
  }
  if (dismissed.hasNextPage) {
    return (
      <Button
        testID="dismissed-more"
        variant="secondary"
        label={t('insights.dismissed.more')}
        onPress={() => void dismissed.fetchNextPage()}
      />
    );
  }
  if (capped(dismissed.data?.pages)) {
    return (
      <Text muted testID="dismissed-capped">
        {t('insights.dismissed.capped', { count: dismissedInsightPagesMax * insightFeedPageSize })}
      </Text>
    );
  }
  return null;
}

const styles = StyleSheet.create({
  list: { gap: 12 },
  centre: { alignItems: 'center', gap: 8, paddingVertical: 16 },
});
