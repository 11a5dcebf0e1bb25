import { ApiProblem } from '@nextgen/api-client';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, Switch, View } from 'react-native';
import { isProblem, problemDetail } from '../../api/errors';
import { formatMoney } from '../../format/money';
import { useLocale } from '../../i18n/provider';
import { type Transfer, useCreateTransfer } from '../../queries/transfers';
import { useOnline } from '../../state/network';
import { StepUpCancelled, useStepUp } from '../../step-up';
import { Amount, Banner, Button, Text } from '../../ui';
import { CopWarning } from './cop-warning';
import { type FieldErrors, fieldErrorsOf, type ReviewedPayment } from './payment-draft';

export interface PaymentReviewProps {
  readonly payment: ReviewedPayment;
  /** Made once when this review was shown; every submission of it sends the same one. */
  readonly idempotencyKey: string;
  readonly onEdit: () => void;
  /** The API took the payment: posted, or held for a fraud review (202); the result tells which. */
  readonly onAnswered: (transfer: Transfer) => void;
  readonly onDeclined: (detail: string) => void;
  /** The API refused a field: the form shows each next to its field, and the detail above. */
  readonly onFieldProblem: (errors: FieldErrors, detail: string) => void;
  /**
   * Any other failure, shown here: `uncertain` when no definite answer came (offline, 5xx), so
   * whether money moved is known only by sending the same key again.
   */
  readonly onFailed: (uncertain: boolean) => void;
}

/** A definite answer is stored under the key or changed nothing; anything else may have moved money. */
const isUncertain = (error: unknown) =>
  !(error instanceof ApiProblem) || error.status >= 500 || error.code === 'idempotency_key_in_use';

/** Step 2: everything the payment will do, approved with Submit (and a passkey when the API asks). */
export function PaymentReview(props: PaymentReviewProps) {
  const { payment, idempotencyKey } = props;
  const { t } = useTranslation();
  const locale = useLocale();
  const online = useOnline();
  const { withStepUp, sheet } = useStepUp();
  const transfer = useCreateTransfer(withStepUp);
  const [problem, setProblem] = useState<string | undefined>();
  const [noMatchAccepted, setNoMatchAccepted] = useState(false);
  const noMatch = payment.to.confirmation === 'no_match';
  const amountText = formatMoney(payment.money, locale);

  const submit = async () => {
    setProblem(undefined);
    try {
      const answered = await transfer.mutateAsync({
        idempotencyKey,
        order: payment.order,
        summary: {
          lines: [
            { label: t('payments.review.amount'), value: amountText },
            { label: t('payments.review.to'), value: `${payment.to.name} (${payment.to.maskedIban})` },
          ],
        },
      });
      props.onAnswered(answered);
    } catch (error) {
      if (error instanceof StepUpCancelled) return setProblem(t('payments.review.approvalCancelled'));
      if (isProblem(error, 'transfer_declined')) return props.onDeclined(error.detail);
      const fields = fieldErrorsOf(error, t);
      if (Object.keys(fields).length > 0) {
        // The API's payee_not_found detail speaks to developers; the customer reads ours.
        const detail = isProblem(error, 'payee_not_found') ? t('payments.review.payeeGone') : problemDetail(error, t);
        return props.onFieldProblem(fields, detail);
      }
      props.onFailed(isUncertain(error));
      setProblem(problemDetail(error, t));
    }
  };

  const disabledReason = !online
    ? t('payments.review.offline')
    : noMatch && !noMatchAccepted
      ? t('payments.review.confirmNoMatchFirst')
      : undefined;
  return (
    <View style={styles.review} testID="payment-review">
      <Text variant="heading">{t('payments.review.title')}</Text>
      <Line label={t('payments.review.from')} testID="payment-review-from">
        <Text>{payment.from.name}</Text>
        <Text muted>{payment.from.maskedIban}</Text>
      </Line>
      <Line label={t('payments.review.to')} testID="payment-review-to">
        <Text>{payment.to.name}</Text>
        <Text muted>{payment.to.maskedIban}</Text>
      </Line>
      {payment.to.confirmation ? <CopWarning confirmation={payment.to.confirmation} name={payment.to.name} /> : null}
      <Line label={t('payments.review.amount')} testID="payment-review-amount">
        <Amount value={payment.money} variant="heading" />
      </Line>
      <Line label={t('payments.review.reference')} testID="payment-review-reference">
        <Text muted={!payment.reference}>{payment.reference || t('payments.review.noReference')}</Text>
      </Line>
      {noMatch ? (
        <View style={styles.row}>
          <Text style={styles.grow}>{t('payments.review.confirmNoMatch')}</Text>
          <Switch
            testID="payment-review-accept-no-match"
            role="switch"
            accessibilityLabel={t('payments.review.confirmNoMatch')}
            value={noMatchAccepted}
            onValueChange={setNoMatchAccepted}
          />
        </View>
      ) : null}
      {problem ? <Banner tone="danger" message={problem} testID="payment-review-problem" /> : null}
      {!online ? (
        <Text muted testID="payment-review-offline">
          {t('payments.review.offline')}
        </Text>
      ) : null}
      <Button
        testID="payment-review-submit"
        label={t('payments.review.submit')}
        // Not `onPress={submit}`: the press must not wait on the approval sheet.
        onPress={() => void submit()}
        busy={transfer.isPending}
        disabled={disabledReason !== undefined}
        disabledReason={disabledReason}
      />
      <Button
        testID="payment-review-edit"
        variant="secondary"
        label={t('payments.review.edit')}
        onPress={props.onEdit}
        disabled={transfer.isPending}
      />
      {sheet}
    </View>
  );
}

function Line({ label, testID, children }: { label: string; testID: string; children: ReactNode }) {
  return (
    <View testID={testID} accessible style={styles.line}>
      <Text muted variant="caption">
        {label}
      </Text>
      {children}
    </View>
  );
}

const styles = StyleSheet.create({
  review: { gap: 16 },
  line: { gap: 2 },
  row: { flexDirection: 'row', alignItems: 'center', gap: 12 },
  grow: { flex: 1 },
});
