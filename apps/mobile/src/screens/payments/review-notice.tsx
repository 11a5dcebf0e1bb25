/**
 * What the customer is told about a transfer the fraud checks held (docs/api/banking.md "Fraud
 * decisions", ADR 0131): not sent, the money reserved, why in the app's own words for the `reason`
 * code, and what happens next; or, once rejected, that it was not sent and the money is free again.
 */
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import type { Transfer } from '../../queries/transfers';
import { useTheme } from '../../theme';
import { Banner, Text } from '../../ui';

export type TransferReview = NonNullable<Transfer['review']>;

/** The translated reason; a code newer than this app falls back to the API's English sentence. */
export function useReviewReason(review: TransferReview): string {
  const { t, i18n } = useTranslation();
  const key = `payments.hold.reason.${review.reason}`;
  return i18n.exists(key) ? t(key) : review.message;
}

export interface ReviewNoticeProps {
  readonly review: TransferReview;
  /** The result's own first line (amount and payee); the detail screen says it without them. */
  readonly heldText?: string;
  readonly testID?: string;
}

/** A held (pending) or rejected review; an approved one has posted and needs no notice. */
export function ReviewNotice({ review, heldText, testID = 'review-notice' }: ReviewNoticeProps) {
  const { t } = useTranslation();
  const { colors } = useTheme();
  const reason = useReviewReason(review);
  if (review.status === 'approved') return null;
  if (review.status === 'rejected') {
    return (
      <View testID={testID} style={styles.notice}>
        <Banner tone="danger" testID={`${testID}-rejected`} message={t('payments.hold.rejected')} />
        <Reason label={t('payments.hold.why')} reason={reason} testID={`${testID}-reason`} />
      </View>
    );
  }
  return (
    <View
      testID={testID}
      style={[
        styles.notice,
        styles.box,
        { backgroundColor: colors.warningBackground, borderColor: colors.warningText },
      ]}
    >
      <Text testID={`${testID}-held`} style={{ color: colors.warningText }}>
        {heldText ?? t('payments.hold.pending')}
      </Text>
      <Reason label={t('payments.hold.why')} reason={reason} testID={`${testID}-reason`} tone={colors.warningText} />
      <Text testID={`${testID}-next`} style={{ color: colors.warningText }}>
        {t('payments.hold.next')}
      </Text>
      <Text testID={`${testID}-not-you`} style={[styles.strong, { color: colors.warningText }]}>
        {t('payments.hold.notYou')}
      </Text>
    </View>
  );
}

function Reason({
  label,
  reason,
  testID,
  tone,
}: {
  readonly label: string;
  readonly reason: string;
  readonly testID: string;
  readonly tone?: string;
}) {
  return (
    // One stop for a screen reader: the label and the reason read together.
    <View testID={testID} accessible accessibilityLabel={`${label}: ${reason}`} style={styles.reason}>
      <Text variant="caption" style={[styles.strong, tone ? { color: tone } : null]} muted={!tone}>
        {label}
      </Text>
      <Text style={tone ? { color: tone } : null}>{reason}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  notice: { gap: 12 },
  box: { padding: 12, borderLeftWidth: 4 },
  reason: { gap: 2 },
  strong: { fontWeight: '600' },
});
