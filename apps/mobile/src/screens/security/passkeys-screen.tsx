/**
 * Passkeys: the ones you hold (name, added, last used), adding one on this device, renaming and
 * revoking. The API decides what each action needs (a recent sign-in, an existing passkey's
 * approval); the mutations in src/queries/passkeys.ts answer those, this screen shows the outcome.
 */
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { fieldError, problemDetail } from '../../api/errors';
import { formatDate } from '../../format/dates';
import { useLocale } from '../../i18n/provider';
import { usePasskeys } from '../../passkeys';
import {
  NoPasskeyCreated,
  type Passkey,
  PasskeyCeremonyFailed,
  useAddPasskey,
  usePasskeyList,
  useRenamePasskey,
  useRevokePasskey,
} from '../../queries/passkeys';
import { useOnline } from '../../state/network';
import { StepUpCancelled, useStepUp } from '../../step-up';
import { useTheme } from '../../theme';
import { Banner, Button, DataAge, Screen, Text, TextField } from '../../ui';
import { ConfirmDialog } from './confirm-dialog';
import { queryState } from './query-state';
import { RowAction } from './row-action';

export function PasskeysScreen() {
  const { t } = useTranslation();
  const list = usePasskeyList();
  const revoke = useRevokePasskey();
  const online = useOnline();
  const [revoking, setRevoking] = useState<Passkey | undefined>();
  const passkeys = list.data ?? [];
  return (
    <Screen title={t('security.passkeys.title')} state={queryState(list, t)} testID="passkeys-screen">
      <DataAge updatedAt={list.dataUpdatedAt} />
      <Text muted>{t('security.passkeys.intro')}</Text>
      {revoke.isSuccess ? (
        <Text role="status" aria-live="polite" testID="passkey-revoked">
          {t('security.passkeys.revoked')}
        </Text>
      ) : null}
      {revoke.error ? (
        <Banner tone="danger" message={problemDetail(revoke.error, t)} testID="passkey-revoke-problem" />
      ) : null}
      {passkeys.length === 0 ? (
        <Text testID="passkeys-empty">{t('security.passkeys.empty')}</Text>
      ) : (
        <View role="list" style={styles.list}>
          {passkeys.map((passkey) => (
            <PasskeyRow key={passkey.id} passkey={passkey} online={online} onRevoke={() => setRevoking(passkey)} />
          ))}
        </View>
      )}
      <AddPasskey online={online} />
      {revoking ? (
        <ConfirmDialog
          title={t('security.passkeys.revokeTitle')}
          message={t('security.passkeys.revokeMessage', { name: revoking.name })}
          confirmLabel={t('security.passkeys.revokeConfirm')}
          cancelLabel={t('security.cancel')}
          onConfirm={() => {
            setRevoking(undefined);
            revoke.mutate(revoking.id);
          }}
          onCancel={() => setRevoking(undefined)}
        />
      ) : null}
    </Screen>
  );
}

function PasskeyRow({
  passkey,
  online,
  onRevoke,
}: {
  readonly passkey: Passkey;
  readonly online: boolean;
  readonly onRevoke: () => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const theme = useTheme();
  const [editing, setEditing] = useState(false);
  const offline = t('security.offline');
  return (
    <View
      role="listitem"
      testID={`passkey-row-${passkey.id}`}
      style={[styles.row, { borderColor: theme.colors.border, backgroundColor: theme.colors.surface }]}
    >
      {editing ? (
        <RenamePasskey passkey={passkey} online={online} onDone={() => setEditing(false)} />
      ) : (
        <Text style={styles.name}>{passkey.name}</Text>
      )}
      <Text muted>
        {t('security.passkeys.created', { date: formatDate(passkey.createdAt, locale, { withTime: true }) })}
      </Text>
      <Text muted>
        {passkey.lastUsedAt
          ? t('security.passkeys.lastUsed', { date: formatDate(passkey.lastUsedAt, locale, { withTime: true }) })
          : t('security.passkeys.neverUsed')}
      </Text>
      <Text variant="caption" muted>
        {passkey.backedUp ? t('security.passkeys.synced') : t('security.passkeys.singleDevice')}
      </Text>
      {editing ? null : (
        <View style={styles.actions}>
          <RowAction
            label={t('security.passkeys.rename')}
            accessibilityLabel={t('security.passkeys.renameA11y', { name: passkey.name })}
            onPress={() => setEditing(true)}
            disabled={!online}
            disabledReason={offline}
            testID={`passkey-rename-${passkey.id}`}
          />
          <RowAction
            label={t('security.passkeys.revoke')}
            accessibilityLabel={t('security.passkeys.revokeA11y', { name: passkey.name })}
            onPress={onRevoke}
            disabled={!online}
            disabledReason={offline}
            testID={`passkey-revoke-${passkey.id}`}
          />
        </View>
      )}
    </View>
  );
}

function RenamePasskey({
  passkey,
  online,
  onDone,
}: {
  readonly passkey: Passkey;
  readonly online: boolean;
  readonly onDone: () => void;
}) {
  const { t } = useTranslation();
  const rename = useRenamePasskey();
  const [name, setName] = useState(passkey.name);
  const nameError = fieldError(rename.error, '/body/name');
  const save = () => rename.mutate({ id: passkey.id, name: name.trim() }, { onSuccess: onDone });
  return (
    <View style={styles.rename}>
      <TextField
        label={t('security.passkeys.nameLabel')}
        value={name}
        onChangeText={setName}
        maxLength={passkeyNameMaxLength}
        error={nameError}
        autoFocus
        testID={`passkey-name-${passkey.id}`}
      />
      {rename.error && !nameError ? <Banner tone="danger" message={problemDetail(rename.error, t)} /> : null}
      <Button
        label={t('security.save')}
        onPress={save}
        busy={rename.isPending}
        disabled={!online || name.trim() === ''}
        disabledReason={online ? t('security.passkeys.nameRequired') : t('security.offline')}
        testID={`passkey-save-${passkey.id}`}
      />
      <Button label={t('security.cancel')} variant="secondary" onPress={onDone} disabled={rename.isPending} />
    </View>
  );
}

/** The API's limit for a passkey's name (openapi: maxLength 64). */
const passkeyNameMaxLength = 64;

function AddPasskey({ online }: { readonly online: boolean }) {
  const { t } = useTranslation();
  const device = usePasskeys();
  const { withStepUp, sheet } = useStepUp();
  const add = useAddPasskey(withStepUp, {
    lines: [{ label: t('security.passkeys.approveLabel'), value: t('security.passkeys.approveValue') }],
  });
  const [name, setName] = useState('');
  if (!device.supported()) {
    return (
      <View style={styles.section}>
        <Text variant="heading">{t('security.passkeys.addTitle')}</Text>
        <Text testID="passkeys-unsupported">{t('security.passkeys.unsupported')}</Text>
      </View>
    );
  }
  const outcome = add.isSuccess ? { calm: t('security.passkeys.added') } : add.error ? addOutcome(add.error, t) : {};
  return (
    <View style={styles.section}>
      <Text variant="heading">{t('security.passkeys.addTitle')}</Text>
      <TextField
        label={t('security.passkeys.newNameLabel')}
        hint={t('security.passkeys.newNameHint')}
        value={name}
        onChangeText={setName}
        maxLength={passkeyNameMaxLength}
        error={fieldError(add.error, '/body/name')}
        testID="passkey-new-name"
      />
      {outcome.calm ? (
        <Text role="status" aria-live="polite" testID="passkey-add-outcome">
          {outcome.calm}
        </Text>
      ) : null}
      {outcome.problem ? <Banner tone="danger" message={outcome.problem} testID="passkey-add-problem" /> : null}
      <Button
        label={t('security.passkeys.add')}
        // mutate, not mutateAsync: the press returns at once while the ceremony and the sheet run.
        onPress={() => add.mutate(name.trim() ? { name: name.trim() } : {}, { onSuccess: () => setName('') })}
        busy={add.isPending}
        disabled={!online}
        disabledReason={t('security.offline')}
        testID="add-passkey"
      />
      {sheet}
    </View>
  );
}

/** A cancelled ceremony or approval added nothing, calmly; anything else is a problem to show. */
function addOutcome(error: Error, t: TFunction): { calm?: string; problem?: string } {
  if (error instanceof NoPasskeyCreated || error instanceof StepUpCancelled) {
    return { calm: t('security.passkeys.addCancelled') };
  }
  if (error instanceof PasskeyCeremonyFailed) {
    return { problem: t('security.passkeys.ceremonyFailed', { detail: error.message }) };
  }
  return { problem: problemDetail(error, t) };
}

const styles = StyleSheet.create({
  list: { gap: 12 },
  row: { borderWidth: 1, borderRadius: 8, padding: 12, gap: 4 },
  name: { fontWeight: '600', fontSize: 17 },
  actions: { flexDirection: 'row', flexWrap: 'wrap', gap: 8 },
  rename: { gap: 8 },
  section: { gap: 8 },
});
