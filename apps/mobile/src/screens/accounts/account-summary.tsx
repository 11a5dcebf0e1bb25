/**
 * An account's balances, status and number. The full IBAN is shown only after the customer approves
 * with a passkey (POST …/reveal answers `step_up_required` first); it stays on this screen, in
 * memory, and is never logged or cached.
 */
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { type Account, useRevealIban } from '../../queries/accounts';
import { useOnline } from '../../state/network';
import { StepUpCancelled, useStepUp } from '../../step-up';
import { Amount, Banner, Button, Text } from '../../ui';
import { AccountStatusText, toMoney } from './parts';

export function AccountSummary({ account }: { readonly account: Account }) {
  const { t } = useTranslation();
  const overdraft = toMoney(account.overdraftLimit);
  return (
    <View style={styles.gap}>
      <View style={styles.line}>
        <Text muted>{t(`accounts.type.${account.type}`)}</Text>
        <AccountStatusText status={account.status} testID="account-status" />
      </View>
      {account.status === 'frozen' ? <Banner message={t('accounts.detail.frozenNotice')} /> : null}
      {account.status === 'closed' ? <Banner message={t('accounts.detail.closedNotice')} /> : null}
      <View style={styles.gapSmall}>
        <Text muted>{t('accounts.balance')}</Text>
        <Amount value={toMoney(account.balance)} variant="title" testID="account-balance" />
      </View>
      <View style={styles.line}>
        <Text muted>{t('accounts.available')}</Text>
        <Amount value={toMoney(account.availableBalance)} variant="heading" testID="account-available" />
      </View>
      {overdraft.amountMinor > 0n ? (
        <View style={styles.line}>
          <Text muted>{t('accounts.detail.overdraft')}</Text>
          <Amount value={overdraft} />
        </View>
      ) : null}
      <AccountNumber account={account} />
    </View>
  );
}

function AccountNumber({ account }: { readonly account: Account }) {
  const { t } = useTranslation();
  const online = useOnline();
  const { withStepUp, sheet } = useStepUp();
  const reveal = useRevealIban(account.id, withStepUp, {
    lines: [
      { label: t('accounts.detail.revealWhat'), value: t('accounts.detail.revealValue') },
      { label: t('accounts.detail.account'), value: `${account.name} (${account.maskedIban})` },
    ],
  });
  const cancelled = reveal.error instanceof StepUpCancelled;
  return (
    <View style={styles.gapSmall}>
      <Text muted>{t('accounts.detail.iban')}</Text>
      {reveal.data ? (
        <Text testID="iban-full" selectable accessibilityLabel={reveal.data.split('').join(' ')}>
          {reveal.data.replace(/(.{4})/g, '$1 ').trim()}
        </Text>
      ) : (
        <Text testID="iban-masked">{account.maskedIban}</Text>
      )}
      {reveal.data ? (
        <Button
          label={t('accounts.detail.hideIban')}
          variant="secondary"
          onPress={() => reveal.reset()}
          testID="hide-iban"
        />
      ) : (
        <Button
          label={t('accounts.detail.revealIban')}
          variant="secondary"
          onPress={() => reveal.mutate()}
          busy={reveal.isPending}
          disabled={!online}
          disabledReason={t('accounts.offlineReason')}
          testID="reveal-iban"
        />
      )}
      {cancelled ? <Text muted>{t('accounts.detail.revealCancelled')}</Text> : null}
      {reveal.error && !cancelled ? (
        <Banner tone="danger" message={problemDetail(reveal.error, t)} testID="reveal-problem" />
      ) : null}
      {sheet}
    </View>
  );
}

const styles = StyleSheet.create({
  gap: { gap: 12 },
  gapSmall: { gap: 4 },
  line: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: 8 },
});
