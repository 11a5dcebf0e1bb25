import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { formatMoney, moneyFromDecimal } from '../../format/money';
import { useLocale } from '../../i18n/provider';
import type { Transfer } from '../../queries/transfers';
import { Amount, Banner, Button, Text } from '../../ui';
import { ReviewNotice } from './review-notice';

/**
 * How a submitted payment ended. The API answers a transfer, `posted` (201) or `held` for a fraud
 * review (202, with `review`), or refuses it (`transfer_declined`).
 */
export type PaymentOutcome =
  | { readonly kind: 'answered'; readonly transfer: Transfer; readonly toName: string }
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
      {outcome.kind === 'answered' ? (
        <>
          <Answered transfer={outcome.transfer} toName={outcome.toName} />
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

function Answered({ transfer, toName }: { readonly transfer: Transfer; readonly toName: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const money = moneyFromDecimal(transfer.amount.amount, transfer.amount.currency);
  // Held: nothing was sent, so the result must not say "sent" anywhere.
  if (transfer.status === 'held' && transfer.review) {
    return (
      <>
        <Text variant="heading" testID="payment-result-held-title">
          {t('payments.result.heldTitle')}
        </Text>
        <Amount value={money} variant="title" />
        <ReviewNotice
          review={transfer.review}
          heldText={t('payments.hold.held', { amount: formatMoney(money, locale), name: toName })}
          testID="payment-result-review"
        />
      </>
    );
  }
  return (
    <>
      <Text variant="heading">{t('payments.result.postedTitle')}</Text>
      <Amount value={money} variant="title" />
      <Text testID="payment-result-status">
        {t('payments.result.posted', { name: toName, status: t(`payments.status.${transfer.status}`) })}
      </Text>
    </>
  );
}

const styles = StyleSheet.create({
  result: { gap: 16 },
});
