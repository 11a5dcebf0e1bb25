/** The insight feed: what the bank noticed (budgets, unusual spending, subscriptions, bills, savings, low balances), each dismissable. */
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { type Insight, useDismissInsight, useInsightFeed } from '../../queries/insights';
import { useOnline } from '../../state/network';
import { useTheme } from '../../theme';
import { Banner, Button, DataAge, Screen, type ScreenState, Text } from '../../ui';
import { useInsightMessage } from './parts';

export function FeedScreen() {
  const { t } = useTranslation();
  const feed = useInsightFeed();
  const dismiss = useDismissInsight();
  const list = feed.data ?? [];
  const state: ScreenState = feed.isPending
    ? { status: 'loading' }
    : feed.isError
      ? { status: 'error', detail: problemDetail(feed.error, t), onRetry: () => void feed.refetch() }
      : list.length === 0 && !dismiss.isError
        ? { status: 'empty', message: t('insights.feed.empty') }
        : { status: 'ready' };
  return (
    <Screen title={t('insights.feed.title')} state={state} testID="feed-screen">
      <DataAge updatedAt={feed.dataUpdatedAt} />
      {dismiss.isError ? (
        <Banner tone="danger" testID="feed-problem" message={t('insights.feed.dismissFailed')} />
      ) : null}
      <View role="list" style={styles.list}>
        {list.map((insight) => (
          <InsightCard key={insight.id} insight={insight} onDismiss={() => dismiss.mutate(insight.id)} />
        ))}
      </View>
    </Screen>
  );
}

function InsightCard({ insight, onDismiss }: { readonly insight: Insight; readonly onDismiss: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const online = useOnline();
  const { colors } = useTheme();
  const message = useInsightMessage()(insight);
  const alert = insight.type === 'budget_exceeded' || insight.type === 'low_balance_forecast';
  return (
    <View
      testID={`insight-${insight.id}`}
      role="listitem"
      style={[styles.card, { backgroundColor: colors.surface, borderColor: alert ? colors.danger : colors.border }]}
    >
      <Text testID={`insight-message-${insight.id}`}>{message}</Text>
      <Text variant="caption" muted>
        {formatDate(insight.createdAt, locale)}
      </Text>
      <Button
        testID={`insight-dismiss-${insight.id}`}
        variant="secondary"
        label={t('insights.feed.dismiss')}
        onPress={onDismiss}
        disabled={!online}
        disabledReason={t('accounts.offlineReason')}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  list: { gap: 12 },
  card: { gap: 8, padding: 12, borderRadius: 8, borderWidth: 1, borderLeftWidth: 4 },
});
