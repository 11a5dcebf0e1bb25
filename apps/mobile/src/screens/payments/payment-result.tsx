import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { moneyFromDecimal } from '../../format/money';
import type { Transfer } from '../../queries/transfers';
import { Amount, Banner, Button, Text } from '../../ui';

/** How a submitted payment ended. The API answers a transfer `posted` or refuses it (`transfer_declined`). */
export type PaymentOutcome =
  | { readonly kind: 'posted'; readonly transfer: Transfer; readonly toName: string }
  | { readonly kind: 'declined'; readonly detail: string };

export interface PaymentResultProps {
  readonly outcome: PaymentOutcome;
  readonly onOpenTransfer: (id: string) => void;
  readonly onDone: () => void;
}

/** Step 3: what happened, with a way to the transfer and back. */
export function PaymentResult({ outcome, onOpenTransfer, onDone }: PaymentResultProps) {
  const { t } = useTranslation();
  return (
    <View testID="payment-result" style={styles.result}>
      {outcome.kind === 'posted' ? (
        <>
          <Text variant="heading">{t('payments.result.postedTitle')}</Text>
          <Amount
            value={moneyFromDecimal(outcome.transfer.amount.amount, outcome.transfer.amount.currency)}
            variant="title"
          />
          <Text testID="payment-result-status">
            {t('payments.result.posted', {
              name: outcome.toName,
              status: t(`payments.status.${outcome.transfer.status}`),
            })}
          </Text>
          <Button
            testID="payment-result-open"
            variant="secondary"
            label={t('payments.result.openTransfer')}
            onPress={() => onOpenTransfer(outcome.transfer.id)}
          />
        </>
      ) : (
        <>
          <Text variant="heading">{t('payments.result.declinedTitle')}</Text>
          <Banner tone="danger" testID="payment-result-declined" message={outcome.detail} />
        </>
      )}
      <Button testID="payment-result-done" label={t('payments.result.done')} onPress={onDone} />
    </View>
  );
}

const styles = StyleSheet.create({
  result: { gap: 16 },
});
