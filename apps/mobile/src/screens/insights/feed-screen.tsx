/**
 * The insight feed: what the bank noticed (budgets, unusual spending, subscriptions, bills, savings,
 * low balances), each dismissable, and the way to the ones dismissed before.
 */
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { type Insight, useDismissInsight, useInsightFeed } from '../../queries/insights';
import { useOnline } from '../../state/network';
import { useTheme } from '../../theme';
import { Banner, Button, DataAge, Screen, type ScreenState, Text } from '../../ui';
import { LinkRow, useInsightMessage } from './parts';

export interface FeedScreenProps {
  readonly onOpenDismissed: () => void;
}

export function FeedScreen({ onOpenDismissed }: FeedScreenProps) {
  const { t } = useTranslation();
  const feed = useInsightFeed();
  const dismiss = useDismissInsight();
  const list = feed.data ?? [];
  // An empty feed is still "ready": the way to the dismissed ones stays on screen (they are what is left).
  const state: ScreenState = feed.isPending
    ? { status: 'loading' }
    : feed.isError
      ? { status: 'error', detail: problemDetail(feed.error, t), onRetry: () => void feed.refetch() }
      : { status: 'ready' };
  return (
    <Screen title={t('insights.feed.title')} state={state} testID="feed-screen">
      <DataAge updatedAt={feed.dataUpdatedAt} />
      {dismiss.isError ? (
        <Banner tone="danger" testID="feed-problem" message={t('insights.feed.dismissFailed')} />
      ) : null}
      {list.length === 0 ? (
        <Text muted testID="feed-empty">
          {t('insights.feed.empty')}
        </Text>
      ) : (
        <View role="list" style={styles.list}>
          {list.map((insight) => (
            <InsightCard key={insight.id} insight={insight} onDismiss={() => dismiss.mutate(insight.id)} />
          ))}
        </View>
      )}
      <LinkRow testID="open-dismissed" label={t('insights.feed.openDismissed')} onPress={onOpenDismissed} />
    </Screen>
  );
}

/**
 * One insight in the app's words, with when it came. An open one has its Dismiss button; a
 * dismissed one (no onDismiss) says when it was dismissed instead: there is no way back.
 */
export function InsightCard({ insight, onDismiss }: { readonly insight: Insight; readonly onDismiss?: () => void }) {
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
      {insight.dismissedAt ? (
        <Text variant="caption" muted testID={`insight-dismissed-${insight.id}`}>
          {t('insights.feed.dismissedOn', { date: formatDate(insight.dismissedAt, locale) })}
        </Text>
      ) : null}
      {onDismiss ? (
        <Button
          testID={`insight-dismiss-${insight.id}`}
          variant="secondary"
          label={t('insights.feed.dismiss')}
          onPress={onDismiss}
          disabled={!online}
          disabledReason={t('accounts.offlineReason')}
        />
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  list: { gap: 12 },
  card: { gap: 8, padding: 12, borderRadius: 8, borderWidth: 1, borderLeftWidth: 4 },
});
