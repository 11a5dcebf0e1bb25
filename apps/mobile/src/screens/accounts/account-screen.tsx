/**
 * One account: balances, status, actions, and its history with search and filters sent to the
 * API, paged by cursor as the customer scrolls. Pull to refresh reloads the account and the pages.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, StyleSheet, View } from 'react-native';
import { fieldError, problemDetail } from '../../api/errors';
import { useAccount } from '../../queries/accounts';
import {
  type HistoryFilters,
  historyCapped,
  historyPageSize,
  historyPagesMax,
  useTransactionHistory,
} from '../../queries/transactions';
import { useTheme } from '../../theme';
import { Banner, Button, DataAge, Screen, Text, TextField } from '../../ui';
import { AccountActions } from './account-actions';
import { AccountSummary } from './account-summary';
import { HistoryFilterPanel } from './history-filters';
import { ListScreen, useDebounced } from './parts';
import { TransactionRow } from './transaction-row';

/** Typing settles for this long before the search goes to the API. */
export const searchDebounceMs = 300;
/** The API's maximum for `q`. */
const searchLengthMax = 100;

export interface AccountScreenProps {
  readonly accountId: string;
  readonly onOpenTransaction: (transactionId: string) => void;
  readonly onNewPayment: (accountId: string) => void;
  readonly onOpenForecast?: (accountId: string) => void;
}

export function AccountScreen({ accountId, onOpenTransaction, onNewPayment, onOpenForecast }: AccountScreenProps) {
  const { t } = useTranslation();
  const account = useAccount(accountId);
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), searchDebounceMs);
  const [filters, setFilters] = useState<Omit<HistoryFilters, 'q'>>({});
  const history = useTransactionHistory(accountId, { ...filters, ...(q ? { q } : {}) });

  if (!account.data) {
    const title = t('accounts.detail.title');
    return account.isPending ? (
      <Screen title={title} state={{ status: 'loading' }} />
    ) : (
      <Screen
        title={title}
        state={{ status: 'error', detail: problemDetail(account.error, t), onRetry: () => void account.refetch() }}
      />
    );
  }

  const transactions = history.data?.pages.flatMap((page) => page.data) ?? [];
  const filtered = Boolean(q) || Object.keys(filters).length > 0;
  const loadMore = () => {
    if (history.hasNextPage && !history.isFetchingNextPage && !history.isFetchNextPageError)
      void history.fetchNextPage();
  };

  return (
    <ListScreen
      testID="history-list"
      title={account.data.name}
      items={transactions}
      keyOf={(transaction) => transaction.id}
      renderItem={({ item }) => <TransactionRow transaction={item} onPress={() => onOpenTransaction(item.id)} />}
      emptyMessage={
        history.data ? (filtered ? t('accounts.history.noMatches') : t('accounts.history.empty')) : undefined
      }
      refreshing={account.isRefetching || history.isRefetching}
      onRefresh={() => {
        void account.refetch();
        void history.refetch();
      }}
      onEndReached={loadMore}
      header={
        <View style={styles.gap}>
          <DataAge updatedAt={account.dataUpdatedAt} />
          {account.isRefetchError ? <Banner tone="danger" message={problemDetail(account.error, t)} /> : null}
          <AccountSummary account={account.data} />
          <AccountActions account={account.data} onNewPayment={onNewPayment} onOpenForecast={onOpenForecast} />
          <Text variant="heading">{t('accounts.history.title')}</Text>
          <TextField
            label={t('accounts.history.search')}
            value={search}
            onChangeText={setSearch}
            maxLength={searchLengthMax}
            autoCorrect={false}
            returnKeyType="search"
            error={fieldError(history.error, '/query/q')}
            testID="history-search"
          />
          <HistoryFilterPanel value={filters} onApply={setFilters} error={history.error} />
        </View>
      }
      footer={<HistoryFooter history={history} onMore={loadMore} />}
    />
  );
}

function HistoryFooter({
  history,
  onMore,
}: {
  readonly history: ReturnType<typeof useTransactionHistory>;
  readonly onMore: () => void;
}) {
  const { t } = useTranslation();
  const theme = useTheme();
  const spinner = (
    <View accessible role="progressbar" aria-busy accessibilityLabel={t('state.loading')} style={styles.centre}>
      <ActivityIndicator color={theme.colors.primary} />
      <Text muted>{t('state.loading')}</Text>
    </View>
  );
  if (history.isPending || history.isFetchingNextPage) return spinner;
  if (history.isError && (!history.data || history.isFetchNextPageError)) {
    return (
      <View style={styles.gap} testID="history-error">
        <Banner tone="danger" message={problemDetail(history.error, t)} />
        <Button
          label={t('state.retry')}
          onPress={() => void (history.data ? history.fetchNextPage() : history.refetch())}
          testID="history-retry"
        />
      </View>
    );
  }
  // Scrolling loads the next page; the button is the same for those who do not scroll (screen readers).
  if (history.hasNextPage) {
    return <Button label={t('accounts.history.more')} variant="secondary" onPress={onMore} testID="history-more" />;
  }
  if (historyCapped(history.data)) {
    return <Text muted>{t('accounts.history.capped', { count: historyPagesMax * historyPageSize })}</Text>;
  }
  return null;
}

const styles = StyleSheet.create({
  gap: { gap: 12 },
  centre: { alignItems: 'center', gap: 8, paddingVertical: 16 },
});
