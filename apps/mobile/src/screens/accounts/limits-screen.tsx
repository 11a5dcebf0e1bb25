/**
 * Limits and verification: the KYC status and tier (GET /me/kyc), and per currency how much may be
 * paid to others per transfer and per UTC day, with what is used and left today (GET /me/limits).
 * Not verified yet: a link to verify.
 */
import { useTranslation } from 'react-i18next';
import { Pressable, StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { type Kyc, useKyc } from '../../queries/kyc';
import { type CurrencyLimit, useLimits } from '../../queries/limits';
import { useTheme } from '../../theme';
import { Amount, DataAge, Screen, Text } from '../../ui';
import { toMoney } from './parts';

export interface LimitsScreenProps {
  readonly onOpenKyc: () => void;
}

export function LimitsScreen({ onOpenKyc }: LimitsScreenProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const kyc = useKyc();
  const limits = useLimits();
  const title = t('accounts.limits.title');

  if (!kyc.data || !limits.data) {
    const failed = kyc.isError ? kyc : limits.isError ? limits : undefined;
    if (!failed) return <Screen title={title} state={{ status: 'loading' }} />;
    const retry = () => {
      if (kyc.isError) void kyc.refetch();
      if (limits.isError) void limits.refetch();
    };
    return <Screen title={title} state={{ status: 'error', detail: problemDetail(failed.error, t), onRetry: retry }} />;
  }

  // The day is a calendar date (UTC): shown as the UTC day it names, not shifted into this zone.
  const day = formatDate(`${limits.data.day}T12:00:00Z`, locale, { timeZone: 'UTC' });
  return (
    <Screen testID="limits-screen" title={title}>
      <DataAge updatedAt={Math.min(kyc.dataUpdatedAt, limits.dataUpdatedAt)} />
      <Verification kyc={kyc.data} onOpenKyc={onOpenKyc} />
      <Text variant="heading">{t('accounts.limits.today', { day })}</Text>
      <Text muted>{t('accounts.limits.explain')}</Text>
      {limits.data.limits.length === 0 ? (
        <Text muted testID="limits-empty">
          {t('accounts.limits.empty')}
        </Text>
      ) : (
        limits.data.limits.map((limit) => <LimitCard key={limit.currency} limit={limit} />)
      )}
    </Screen>
  );
}

function Verification({ kyc, onOpenKyc }: { readonly kyc: Kyc; readonly onOpenKyc: () => void }) {
  const { t } = useTranslation();
  const theme = useTheme();
  return (
    <View style={styles.gap} testID="kyc-status">
      <Text variant="heading">{t('accounts.limits.verification')}</Text>
      <Text>{t(`accounts.kyc.${kyc.status}`)}</Text>
      {kyc.status === 'verified' && kyc.tier !== null ? (
        <Text>{t('accounts.limits.tier', { tier: kyc.tier })}</Text>
      ) : null}
      {kyc.status === 'rejected' && kyc.rejectionReason ? (
        <Text muted>{t(`accounts.kyc.reason.${kyc.rejectionReason}`)}</Text>
      ) : null}
      {kyc.status !== 'verified' ? (
        <Pressable
          role="link"
          accessibilityLabel={t('accounts.limits.verify')}
          onPress={onOpenKyc}
          style={{ minHeight: theme.minTouchSize, justifyContent: 'center' }}
          testID="kyc-link"
        >
          <Text style={{ color: theme.colors.primary, textDecorationLine: 'underline' }}>
            {t('accounts.limits.verify')}
          </Text>
        </Pressable>
      ) : null}
    </View>
  );
}

function LimitCard({ limit }: { readonly limit: CurrencyLimit }) {
  const { t } = useTranslation();
  const theme = useTheme();
  const rows = [
    ['perTransfer', limit.perTransfer],
    ['daily', limit.daily],
    ['usedToday', limit.usedToday],
    ['remainingToday', limit.remainingToday],
  ] as const;
  return (
    <View
      testID={`limit-${limit.currency}`}
      style={[styles.card, { backgroundColor: theme.colors.surface, borderColor: theme.colors.border }]}
    >
      <Text variant="heading">{limit.currency}</Text>
      {rows.map(([key, value]) => (
        <View key={key} style={styles.line}>
          <Text muted>{t(`accounts.limits.${key}`)}</Text>
          <Amount value={toMoney(value)} testID={`limit-${limit.currency}-${key}`} />
        </View>
      ))}
      {limit.source === 'override' ? <Text muted>{t('accounts.limits.override')}</Text> : null}
    </View>
  );
}

const styles = StyleSheet.create({
  gap: { gap: 8 },
  card: { borderWidth: 1, borderRadius: 12, padding: 16, gap: 8 },
  line: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: 8 },
});
