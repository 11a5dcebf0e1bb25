/**
 * Pieces the accounts screens share: the API's money shape as `Money`, an account's status line,
 * a debounced value for search, and the list screen (a FlatList with pull to refresh, since the
 * kit's `Screen` scrolls by itself and a list must not nest in another scroll view).
 */
import { type ReactElement, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FlatList, type ListRenderItem, RefreshControl, StyleSheet, View } from 'react-native';
import { type Money, moneyFromDecimal } from '../../format/money';
import type { AccountStatus } from '../../queries/accounts';
import { useTheme } from '../../theme';
import { Text } from '../../ui';

/** The API's `{ amount: "12.34", currency: "EUR" }` as minor units. */
export const toMoney = (value: { readonly amount: string; readonly currency: string }): Money =>
  moneyFromDecimal(value.amount, value.currency);

/** "Frozen" and "Closed" stand out; an open account says so quietly. */
export function AccountStatusText({ status, testID }: { readonly status: AccountStatus; readonly testID?: string }) {
  const { t } = useTranslation();
  const { colors } = useTheme();
  return (
    <Text
      testID={testID}
      variant="caption"
      style={status === 'open' ? { color: colors.textMuted } : { color: colors.danger, fontWeight: '700' }}
    >
      {t(`accounts.status.${status}`)}
    </Text>
  );
}

/** The value, once it has not changed for `delayMs` (so typing a search sends one request, not ten). */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

export interface ListScreenProps<T> {
  readonly title: string;
  readonly items: readonly T[];
  readonly renderItem: ListRenderItem<T>;
  readonly keyOf: (item: T) => string;
  /** Shown above the items (balances, actions, filters). An element, so its inputs keep focus. */
  readonly header?: ReactElement;
  readonly footer?: ReactElement | null;
  /** What an empty list says; undefined while there is nothing to say yet (the items are loading). */
  readonly emptyMessage: string | undefined;
  readonly refreshing: boolean;
  readonly onRefresh: () => void;
  readonly onEndReached?: () => void;
  readonly testID?: string;
}

export function ListScreen<T>({
  title,
  items,
  renderItem,
  keyOf,
  header,
  footer,
  emptyMessage,
  refreshing,
  onRefresh,
  onEndReached,
  testID,
}: ListScreenProps<T>) {
  const theme = useTheme();
  const { t } = useTranslation();
  return (
    <FlatList
      testID={testID}
      // The screen's content is the page's main landmark on the web, as the kit's Screen does.
      role="main"
      style={{ backgroundColor: theme.colors.background }}
      contentContainerStyle={[styles.content, { padding: theme.spacing * 2 }]}
      data={items}
      renderItem={renderItem}
      keyExtractor={keyOf}
      ListHeaderComponent={
        <View style={styles.header}>
          <Text variant="title">{title}</Text>
          {header}
        </View>
      }
      ListEmptyComponent={
        emptyMessage ? (
          <Text muted testID="list-empty">
            {emptyMessage}
          </Text>
        ) : null
      }
      ListFooterComponent={footer}
      refreshControl={
        <RefreshControl refreshing={refreshing} onRefresh={onRefresh} accessibilityLabel={t('accounts.refresh')} />
      }
      onEndReached={onEndReached}
      onEndReachedThreshold={0.5}
    />
  );
}

const styles = StyleSheet.create({
  content: { gap: 12, flexGrow: 1 },
  header: { gap: 16 },
});
