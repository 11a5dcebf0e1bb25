/**
 * "Your data": a copy of everything the bank holds about the customer (GDPR Art. 15 and 20), and
 * after it is made, what it contains and how large it is.
 */
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { type PersonalDataExport, useExportPersonalData } from '../../queries/profile';
import { Banner, Button, Text } from '../../ui';
import { byteSize, deliverExport, type ExportDelivery } from './export-delivery';

export interface ExportSummary {
  readonly exportedAt: string;
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly delivery: ExportDelivery;
  readonly counts: Readonly<Record<'accounts' | 'transactions' | 'passkeys' | 'payees' | 'sessions', number>>;
  readonly transactionsTruncated: boolean;
}

const countOf = (value: unknown) => (Array.isArray(value) ? value.length : 0);

async function exportAndDeliver(data: PersonalDataExport): Promise<ExportSummary> {
  const json = JSON.stringify(data, null, 2);
  const fileName = `nextgen-personal-data-${data.exportedAt.slice(0, 10)}.json`;
  const delivery = await deliverExport(json, fileName);
  return {
    exportedAt: data.exportedAt,
    fileName,
    sizeBytes: byteSize(json),
    delivery,
    counts: {
      accounts: data.accounts.length,
      transactions: data.transactions.length,
      passkeys: countOf(data.passkeys),
      payees: countOf(data.payees),
      sessions: countOf(data.sessions),
    },
    transactionsTruncated: data.transactionsTruncated,
  };
}

export function PersonalDataExportSection({ online }: { readonly online: boolean }) {
  const { t } = useTranslation();
  const exporting = useExportPersonalData(exportAndDeliver);
  const summary = exporting.data;
  return (
    <View style={styles.section}>
      <Text variant="heading">{t('security.export.title')}</Text>
      <Text muted>{t('security.export.intro')}</Text>
      {exporting.error ? (
        <Banner tone="danger" message={problemDetail(exporting.error, t)} testID="export-problem" />
      ) : null}
      {summary ? <ExportSummaryView summary={summary} /> : null}
      <Button
        label={t('security.export.button')}
        onPress={() => exporting.mutate()}
        busy={exporting.isPending}
        disabled={!online}
        disabledReason={t('security.offline')}
        testID="export-data"
      />
    </View>
  );
}

function ExportSummaryView({ summary }: { readonly summary: ExportSummary }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const size = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(summary.sizeBytes / 1000);
  const lines = (['accounts', 'transactions', 'passkeys', 'payees', 'sessions'] as const).map((key) => ({
    key,
    label: t(`security.export.counts.${key}`),
    value: new Intl.NumberFormat(locale).format(summary.counts[key]),
  }));
  return (
    <View role="status" aria-live="polite" testID="export-summary" style={styles.summary}>
      <Text>
        {t('security.export.made', {
          date: formatDate(summary.exportedAt, locale, { withTime: true }),
          size: t('security.export.sizeKb', { size }),
        })}
      </Text>
      {summary.delivery === 'downloaded' ? (
        <Text muted>{t('security.export.downloaded', { file: summary.fileName })}</Text>
      ) : null}
      <Text muted>{t('security.export.contains')}</Text>
      {lines.map((line) => (
        <View key={line.key} style={styles.line} accessible accessibilityLabel={`${line.label}: ${line.value}`}>
          <Text>{line.label}</Text>
          <Text style={styles.value}>{line.value}</Text>
        </View>
      ))}
      {summary.transactionsTruncated ? <Text muted>{t('security.export.truncated')}</Text> : null}
    </View>
  );
}

const styles = StyleSheet.create({
  section: { gap: 8 },
  summary: { gap: 4 },
  line: { flexDirection: 'row', justifyContent: 'space-between', gap: 12 },
  value: { fontWeight: '600' },
});
