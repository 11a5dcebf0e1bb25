import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { fieldError, problemDetail } from '../../api/errors';
import { type CreatedPayee, type NewPayee, useCreatePayee, useDeletePayee } from '../../queries/payees';
import { useOnline } from '../../state/network';
import { StepUpCancelled, useStepUp } from '../../step-up';
import { Banner, Button, Screen, Text, TextField } from '../../ui';
import { ibanInputLengthMax, payeeNameLengthMax, referenceLengthMax } from './limits';

const trimmed = (form: NewPayee): NewPayee => ({
  name: form.name.trim(),
  iban: form.iban.trim(),
  reference: form.reference?.trim() ?? '',
});

const pointers = { name: '/body/name', iban: '/body/iban', reference: '/body/reference' } as const;

/** Saves a payee and shows its confirmation of payee result, each with what to do about it. */
export function AddPayeeScreen({ onDone }: { readonly onDone: () => void }) {
  const { t } = useTranslation();
  const online = useOnline();
  const { withStepUp, sheet } = useStepUp();
  const create = useCreatePayee(withStepUp);
  const remove = useDeletePayee();
  const [form, setForm] = useState<NewPayee>({ name: '', iban: '', reference: '' });
  const [saved, setSaved] = useState<CreatedPayee | undefined>();
  const [error, setError] = useState<unknown>();
  const [missing, setMissing] = useState<{ name?: string; iban?: string }>({});
  const [cancelled, setCancelled] = useState(false);

  const save = async (body: NewPayee) => {
    setError(undefined);
    setCancelled(false);
    try {
      const payee = await create.mutateAsync({
        body,
        summary: {
          lines: [
            { label: t('payments.addPayee.name'), value: body.name },
            { label: t('payments.addPayee.iban'), value: body.iban },
          ],
        },
      });
      setSaved(payee);
    } catch (caught) {
      if (caught instanceof StepUpCancelled) setCancelled(true);
      else setError(caught);
    }
  };

  const submit = () => {
    const body = trimmed(form);
    const next = {
      name: body.name ? undefined : t('payments.addPayee.nameRequired'),
      iban: body.iban ? undefined : t('payments.addPayee.ibanRequired'),
    };
    setMissing(next);
    if (next.name || next.iban) return;
    void save(body);
  };

  /** Removes the saved payee; the form keeps what was typed so it can be corrected. */
  const removeSaved = async (payee: CreatedPayee): Promise<boolean> => {
    setError(undefined);
    try {
      await remove.mutateAsync(payee.id);
      setSaved(undefined);
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    }
  };

  /**
   * Payees cannot be renamed, so the one saved under the typed name is deleted and saved again under
   * the holder's. If the second save fails, the form holds the suggested name and IBAN and the
   * customer saves again; no money moves either way.
   */
  const adoptSuggested = async (payee: CreatedPayee, suggestedName: string) => {
    if (!(await removeSaved(payee))) return;
    const body = { ...trimmed(form), name: suggestedName };
    setForm(body);
    await save(body);
  };

  const fieldProblem = (field: keyof typeof pointers) =>
    (field === 'reference' ? undefined : missing[field]) ?? fieldError(error, pointers[field]);
  const fieldsShown = Object.values(pointers).some((pointer) => fieldError(error, pointer));
  const busy = create.isPending || remove.isPending;
  const problem = cancelled
    ? t('payments.addPayee.approvalCancelled')
    : error && !fieldsShown
      ? problemDetail(error, t)
      : undefined;

  return (
    <Screen title={t('payments.addPayee.title')} testID="add-payee-screen">
      {saved ? (
        <SavedPayee
          payee={saved}
          busy={busy}
          online={online}
          onDone={onDone}
          onUseSuggested={(name) => void adoptSuggested(saved, name)}
          onRemove={() => void removeSaved(saved)}
        />
      ) : (
        <PayeeForm
          form={form}
          onChange={setForm}
          errorOf={fieldProblem}
          busy={busy}
          online={online}
          onSubmit={submit}
        />
      )}
      {problem ? <Banner tone="danger" testID="payee-problem" message={problem} /> : null}
      {sheet}
    </Screen>
  );
}

interface PayeeFormProps {
  readonly form: NewPayee;
  readonly onChange: (form: NewPayee) => void;
  readonly errorOf: (field: keyof typeof pointers) => string | undefined;
  readonly busy: boolean;
  readonly online: boolean;
  readonly onSubmit: () => void;
}

function PayeeForm({ form, onChange, errorOf, busy, online, onSubmit }: PayeeFormProps) {
  const { t } = useTranslation();
  return (
    <View style={styles.form}>
      <TextField
        testID="payee-name"
        label={t('payments.addPayee.name')}
        hint={t('payments.addPayee.nameHint')}
        value={form.name}
        onChangeText={(name) => onChange({ ...form, name })}
        error={errorOf('name')}
        maxLength={payeeNameLengthMax}
        autoComplete="name"
      />
      <TextField
        testID="payee-iban"
        label={t('payments.addPayee.iban')}
        value={form.iban}
        onChangeText={(iban) => onChange({ ...form, iban })}
        error={errorOf('iban')}
        maxLength={ibanInputLengthMax}
        autoCapitalize="characters"
        autoCorrect={false}
      />
      <TextField
        testID="payee-reference"
        label={t('payments.addPayee.reference')}
        value={form.reference}
        onChangeText={(reference) => onChange({ ...form, reference })}
        error={errorOf('reference')}
        maxLength={referenceLengthMax}
      />
      <Button
        testID="payee-submit"
        label={t('payments.addPayee.submit')}
        onPress={onSubmit}
        busy={busy}
        disabled={!online}
        disabledReason={t('payments.offline')}
      />
    </View>
  );
}

interface SavedPayeeProps {
  readonly payee: CreatedPayee;
  readonly busy: boolean;
  readonly online: boolean;
  readonly onDone: () => void;
  readonly onUseSuggested: (name: string) => void;
  readonly onRemove: () => void;
}

/** The confirmation of payee result (ADR 0025): each answer with its own warning and choices. */
function SavedPayee({ payee, busy, online, onDone, onUseSuggested, onRemove }: SavedPayeeProps) {
  const { t } = useTranslation();
  const offline = { disabled: !online, disabledReason: t('payments.offline') };
  const done = <Button testID="payee-done" label={t('payments.addPayee.done')} onPress={onDone} disabled={busy} />;
  const heading = (
    <Text variant="heading">{t('payments.addPayee.saved', { name: payee.name, maskedIban: payee.maskedIban })}</Text>
  );
  if (payee.confirmation === 'close_match' && payee.suggestedName) {
    const suggestedName = payee.suggestedName;
    return (
      <View style={styles.form} testID="payee-result">
        {heading}
        <Banner testID="payee-close-match" message={t('payments.addPayee.closeMatch', { suggested: suggestedName })} />
        <Button
          testID="payee-use-suggested"
          label={t('payments.addPayee.useSuggested', { suggested: suggestedName })}
          onPress={() => onUseSuggested(suggestedName)}
          busy={busy}
          {...offline}
        />
        <Button
          testID="payee-keep-mine"
          variant="secondary"
          label={t('payments.addPayee.keepMine', { name: payee.name })}
          onPress={onDone}
          disabled={busy}
        />
      </View>
    );
  }
  if (payee.confirmation === 'no_match') {
    return (
      <View style={styles.form} testID="payee-result">
        {heading}
        <Banner tone="danger" testID="payee-no-match" message={t('payments.addPayee.noMatch', { name: payee.name })} />
        <Button
          testID="payee-no-match-remove"
          label={t('payments.addPayee.noMatchRemove')}
          onPress={onRemove}
          busy={busy}
          {...offline}
        />
        <Button
          testID="payee-no-match-keep"
          variant="secondary"
          label={t('payments.addPayee.noMatchKeep')}
          onPress={onDone}
          disabled={busy}
        />
      </View>
    );
  }
  return (
    <View style={styles.form} testID="payee-result">
      {heading}
      <Text testID={`payee-${payee.confirmation === 'match' ? 'match' : 'not-checked'}`}>
        {t(payee.confirmation === 'match' ? 'payments.addPayee.match' : 'payments.addPayee.notChecked')}
      </Text>
      {done}
    </View>
  );
}

const styles = StyleSheet.create({
  form: { gap: 16 },
});
