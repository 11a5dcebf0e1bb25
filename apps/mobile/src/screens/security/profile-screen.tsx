/**
 * Your profile: name, e-mail, phone and postal address as the bank holds them, edited in place
 * (only changed fields are sent; the API's field errors appear under their fields), and the export
 * of all your personal data.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, type TextInputProps, View } from 'react-native';
import { fieldError, isProblem, problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { type Profile, useProfile, useUpdateProfile } from '../../queries/profile';
import { useOnline } from '../../state/network';
import { Banner, Button, DataAge, Screen, Text, TextField } from '../../ui';
import { PersonalDataExportSection } from './personal-data-export';
import { changesOf, draftOf, type ProfileDraft, type ProfileField, profilePointers } from './profile-draft';
import { queryState } from './query-state';

export function ProfileScreen() {
  const { t } = useTranslation();
  const profile = useProfile();
  const online = useOnline();
  return (
    <Screen title={t('security.profile.title')} state={queryState(profile, t)} testID="profile-screen">
      <DataAge updatedAt={profile.dataUpdatedAt} />
      {profile.data ? <ProfileForm key={profile.data.id} profile={profile.data} online={online} /> : null}
      <PersonalDataExportSection online={online} />
    </Screen>
  );
}

/** Keyboard and autofill hints per field, so each one opens the right keyboard and suggestions. */
const inputs: Readonly<Record<ProfileField, TextInputProps>> = {
  name: { autoComplete: 'name', textContentType: 'name' },
  email: {
    autoComplete: 'email',
    keyboardType: 'email-address',
    autoCapitalize: 'none',
    textContentType: 'emailAddress',
  },
  phone: { autoComplete: 'tel', keyboardType: 'phone-pad', textContentType: 'telephoneNumber' },
  line1: { autoComplete: 'address-line1', textContentType: 'streetAddressLine1' },
  line2: { autoComplete: 'address-line2', textContentType: 'streetAddressLine2' },
  postalCode: { autoComplete: 'postal-code', textContentType: 'postalCode' },
  city: { textContentType: 'addressCity' },
  country: { autoComplete: 'country', autoCapitalize: 'characters', maxLength: 2, textContentType: 'countryName' },
};

const fields: readonly ProfileField[] = ['name', 'email', 'phone', 'line1', 'line2', 'postalCode', 'city', 'country'];

function ProfileForm({ profile, online }: { readonly profile: Profile; readonly online: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const update = useUpdateProfile();
  const [draft, setDraft] = useState<ProfileDraft>(() => draftOf(profile));
  const [unchanged, setUnchanged] = useState(false);
  const save = () => {
    const changes = changesOf(profile, draft);
    setUnchanged(Object.keys(changes).length === 0);
    if (Object.keys(changes).length > 0) update.mutate(changes);
  };
  // An e-mail someone else holds is a problem of that field, though the API sends it without errors[].
  const errorAt = (field: ProfileField) =>
    fieldError(update.error, profilePointers[field]) ??
    (field === 'email' && isProblem(update.error, 'email_taken') ? update.error.detail : undefined);
  const fieldProblems = fields.some((field) => errorAt(field) !== undefined);
  return (
    <View style={styles.form}>
      <Text muted>{t('security.profile.since', { date: formatDate(profile.createdAt, locale) })}</Text>
      {fields.map((field) => (
        <TextField
          key={field}
          label={t(`security.profile.fields.${field}`)}
          hint={
            field === 'phone'
              ? t('security.profile.phoneHint')
              : field === 'country'
                ? t('security.profile.countryHint')
                : undefined
          }
          value={draft[field]}
          onChangeText={(value) => setDraft((current) => ({ ...current, [field]: value }))}
          error={errorAt(field)}
          testID={`profile-${field}`}
          {...inputs[field]}
        />
      ))}
      {update.error && !fieldProblems ? (
        <Banner tone="danger" message={problemDetail(update.error, t)} testID="profile-problem" />
      ) : null}
      {update.error && fieldProblems ? <Banner tone="danger" message={t('security.profile.checkFields')} /> : null}
      {unchanged ? (
        <Text role="status" testID="profile-unchanged">
          {t('security.profile.unchanged')}
        </Text>
      ) : update.isSuccess ? (
        <Text role="status" aria-live="polite" testID="profile-saved">
          {t('security.profile.saved')}
        </Text>
      ) : null}
      <Button
        label={t('security.profile.save')}
        onPress={save}
        busy={update.isPending}
        disabled={!online}
        disabledReason={t('security.offline')}
        testID="profile-save"
      />
    </View>
  );
}

const styles = StyleSheet.create({
  form: { gap: 12 },
});
