/**
 * Identity verification as the customer sees it (docs/api/kyc-and-limits.md): the form while
 * nothing is submitted, "we are checking" while pending (with a way to correct the details),
 * verified with its tier, or rejected with the reason and a new submission, except when the
 * reason is `not_eligible`. The document shows only masked, as the API answers it.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { fieldError, problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { type Kyc, type KycSubmission, useKyc, useSubmitKyc } from '../../queries/kyc';
import { useOnline } from '../../state/network';
import { Banner, Button, Choice, Screen, Text, TextField } from '../../ui';

type DocumentType = KycSubmission['documentType'];
const documentTypes: readonly DocumentType[] = ['passport', 'national_id', 'driving_licence', 'residence_permit'];
type TextFieldName = Exclude<keyof KycSubmission, 'documentType'>;

export function KycScreen({ onContinue }: { readonly onContinue: () => void }) {
  const { t } = useTranslation();
  const kyc = useKyc();
  const [editing, setEditing] = useState(false);

  if (kyc.isPending) return <Screen title={t('session.kyc.title')} state={{ status: 'loading' }} />;
  if (kyc.isError) {
    return (
      <Screen
        title={t('session.kyc.title')}
        state={{ status: 'error', detail: problemDetail(kyc.error, t), onRetry: () => void kyc.refetch() }}
      />
    );
  }
  const { status } = kyc.data;
  const showForm = status === 'none' || editing;
  return (
    <Screen title={t('session.kyc.title')} testID="kyc-screen">
      {showForm ? (
        <KycForm onSubmitted={() => setEditing(false)} />
      ) : (
        <KycState kyc={kyc.data} onEdit={() => setEditing(true)} onContinue={onContinue} />
      )}
      {showForm && status === 'none' ? (
        <Button variant="secondary" testID="kyc-later" label={t('session.kyc.later')} onPress={onContinue} />
      ) : null}
    </Screen>
  );
}

function KycState({ kyc, onEdit, onContinue }: { kyc: Kyc; onEdit: () => void; onContinue: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const document = kyc.document
    ? t('session.kyc.document', {
        type: t(`session.kyc.documentTypes.${kyc.document.type}`),
        number: kyc.document.number.replace(/^\*+/, ''),
      })
    : undefined;
  return (
    <View style={styles.gap} testID={`kyc-${kyc.status}`}>
      {kyc.status === 'pending' ? (
        <>
          <Text variant="heading">{t('session.kyc.pendingTitle')}</Text>
          <Text>
            {t('session.kyc.pendingBody', { date: kyc.submittedAt ? formatDate(kyc.submittedAt, locale) : '' })}
          </Text>
          {document ? <Text muted>{document}</Text> : null}
          <Button variant="secondary" testID="kyc-change" label={t('session.kyc.change')} onPress={onEdit} />
        </>
      ) : kyc.status === 'verified' ? (
        <>
          <Text variant="heading">{t('session.kyc.verifiedTitle')}</Text>
          <Text>{t('session.kyc.verifiedBody', { tier: kyc.tier ?? 1 })}</Text>
          {document ? <Text muted>{document}</Text> : null}
        </>
      ) : (
        <>
          <Text variant="heading">{t('session.kyc.rejectedTitle')}</Text>
          {kyc.rejectionReason === 'not_eligible' ? (
            <Banner tone="danger" message={t('session.kyc.rejectedNotEligible')} />
          ) : (
            <>
              <Banner
                tone="danger"
                message={t('session.kyc.rejectedBody', {
                  reason: kyc.rejectionReason ? t(`session.kyc.reasons.${kyc.rejectionReason}`) : '',
                })}
              />
              <Button testID="kyc-resubmit" label={t('session.kyc.resubmit')} onPress={onEdit} />
            </>
          )}
        </>
      )}
      <Button variant="secondary" testID="kyc-continue" label={t('session.kyc.continue')} onPress={onContinue} />
    </View>
  );
}

const emptySubmission: KycSubmission = {
  legalName: '',
  documentType: 'passport',
  documentNumber: '',
  issuingCountry: '',
  expiresOn: '',
  dateOfBirth: '',
  nationality: '',
};

function KycForm({ onSubmitted }: { onSubmitted: () => void }) {
  const { t } = useTranslation();
  const online = useOnline();
  const submit = useSubmitKyc();
  const [form, setForm] = useState<KycSubmission>(emptySubmission);
  const error = submit.error;
  const fieldNames: readonly TextFieldName[] = [
    'legalName',
    'documentNumber',
    'issuingCountry',
    'expiresOn',
    'dateOfBirth',
    'nationality',
  ];
  const onField =
    fieldNames.some((name) => fieldError(error, `/body/${name}`)) || fieldError(error, '/body/documentType');
  const set = (name: TextFieldName) => (value: string) => setForm((now) => ({ ...now, [name]: value }));
  const field = (name: TextFieldName, extra: { hint?: string; upper?: boolean } = {}) => (
    <TextField
      testID={`kyc-${name}`}
      label={t(`session.kyc.${name}`)}
      value={form[name]}
      onChangeText={(value) => set(name)(extra.upper ? value.toUpperCase() : value)}
      autoCapitalize={extra.upper ? 'characters' : 'words'}
      autoCorrect={false}
      hint={extra.hint}
      error={fieldError(error, `/body/${name}`)}
    />
  );
  return (
    <View style={styles.gap} testID="kyc-form">
      <Text>{t('session.kyc.intro')}</Text>
      {error && !onField ? <Banner tone="danger" testID="kyc-error" message={problemDetail(error, t)} /> : null}
      {field('legalName')}
      <Choice<DocumentType>
        testID="kyc-documentType"
        label={t('session.kyc.documentType')}
        value={form.documentType}
        onChange={(documentType) => setForm((now) => ({ ...now, documentType }))}
        options={documentTypes.map((value) => ({ value, label: t(`session.kyc.documentTypes.${value}`) }))}
      />
      {field('documentNumber', { upper: true })}
      {field('issuingCountry', { upper: true, hint: t('session.kyc.countryHint') })}
      {field('expiresOn', { hint: t('session.kyc.dateHint') })}
      {field('dateOfBirth', { hint: t('session.kyc.dateHint') })}
      {field('nationality', { upper: true, hint: t('session.kyc.countryHint') })}
      <Button
        testID="kyc-submit"
        label={t('session.kyc.submit')}
        busy={submit.isPending}
        disabled={!online}
        disabledReason={t('offline.banner')}
        onPress={() =>
          submit.mutate(
            { ...form, legalName: form.legalName.trim(), documentNumber: form.documentNumber.trim() },
            { onSuccess: onSubmitted },
          )
        }
      />
    </View>
  );
}

const styles = StyleSheet.create({ gap: { gap: 12 } });
