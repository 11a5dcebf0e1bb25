/**
 * Home: every account with its balances and status, pull to refresh, and the ways on (an account,
 * the limits, opening another). Offline it keeps the last list and says how old it is.
 */
import { useTranslation } from 'react-i18next';
import { Pressable, StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { type Account, useAccounts } from '../../queries/accounts';
import { useTheme } from '../../theme';
import { Amount, Banner, Button, DataAge, Screen, Text } from '../../ui';
import { AccountStatusText, ListScreen, toMoney } from './parts';

export interface HomeScreenProps {
  readonly onOpenAccount: (accountId: string) => void;
  readonly onOpenLimits: () => void;
  readonly onOpenNewAccount: () => void;
}

export function HomeScreen({ onOpenAccount, onOpenLimits, onOpenNewAccount }: HomeScreenProps) {
  const { t } = useTranslation();
  const accounts = useAccounts();
  const title = t('accounts.home.title');

  if (!accounts.data) {
    return accounts.isPending ? (
      <Screen title={title} state={{ status: 'loading' }} />
    ) : (
      <Screen
        title={title}
        state={{ status: 'error', detail: problemDetail(accounts.error, t), onRetry: () => void accounts.refetch() }}
      />
    );
  }

  return (
    <ListScreen
      testID="home-screen"
      title={title}
      items={accounts.data}
      keyOf={(account) => account.id}
      renderItem={({ item }) => <AccountRow account={item} onPress={() => onOpenAccount(item.id)} />}
      emptyMessage={t('accounts.home.empty')}
      refreshing={accounts.isRefetching}
      onRefresh={() => void accounts.refetch()}
      header={
        <View style={styles.gap}>
          <DataAge updatedAt={accounts.dataUpdatedAt} />
          {accounts.isRefetchError ? <Banner tone="danger" message={problemDetail(accounts.error, t)} /> : null}
          <View style={styles.links}>
            <Button label={t('accounts.home.limits')} variant="secondary" onPress={onOpenLimits} testID="limits-link" />
            <Button
              label={t('accounts.home.openAccount')}
              variant="secondary"
              onPress={onOpenNewAccount}
              testID="open-account"
            />
          </View>
        </View>
      }
    />
  );
}

function AccountRow({ account, onPress }: { readonly account: Account; readonly onPress: () => void }) {
  const { t } = useTranslation();
  const theme = useTheme();
  const balance = toMoney(account.balance);
  const available = toMoney(account.availableBalance);
  return (
    <Pressable
      testID={`account-row-${account.id}`}
      role="button"
      // No label of its own: the row is named by what it shows (name, status, kind, masked number,
      // balances), read whole, so a person who says what they see names it too (WCAG 2.5.3).
      onPress={onPress}
      style={({ pressed }) => [
        styles.row,
        {
          minHeight: theme.minTouchSize,
          backgroundColor: theme.colors.surface,
          borderColor: account.status === 'open' ? theme.colors.border : theme.colors.danger,
          opacity: pressed ? 0.8 : 1,
        },
      ]}
    >
      <View style={styles.line}>
        <Text variant="heading">{account.name}</Text>
        <AccountStatusText status={account.status} testID={`account-status-${account.id}`} />
      </View>
      <Text muted>
        {t(`accounts.type.${account.type}`)} · {account.maskedIban}
      </Text>
      <View style={styles.line}>
        <Text muted>{t('accounts.balance')}</Text>
        <Amount value={balance} variant="heading" testID={`account-balance-${account.id}`} />
      </View>
      <View style={styles.line}>
        <Text muted>{t('accounts.available')}</Text>
        <Amount value={available} testID={`account-available-${account.id}`} />
      </View>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  gap: { gap: 12 },
  links: { flexDirection: 'row', flexWrap: 'wrap', gap: 12 },
  row: { borderWidth: 1, borderRadius: 12, padding: 16, gap: 6 },
  line: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: 8 },
});
