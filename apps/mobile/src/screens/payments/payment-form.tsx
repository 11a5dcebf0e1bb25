import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import type { Account } from '../../queries/accounts';
import type { Payee } from '../../queries/payees';
import { useTheme } from '../../theme';
import { Banner, Button, Choice, Text, TextField } from '../../ui';
import { amountInputLengthMax, referenceLengthMax } from './limits';
import type { FieldErrors, PaymentDraft } from './payment-draft';

export interface PaymentFormProps {
  readonly accounts: readonly Account[];
  readonly payees: readonly Payee[];
  readonly draft: PaymentDraft;
  readonly onChange: (draft: PaymentDraft) => void;
  readonly errors: FieldErrors;
  /** The API's detail when it refused the reviewed payment for a field reason. */
  readonly problem?: string;
  readonly onContinue: () => void;
}

/** Step 1: from, to, amount, reference. Nothing is sent; the review comes next. */
export function PaymentForm({ accounts, payees, draft, onChange, errors, problem, onContinue }: PaymentFormProps) {
  const { t } = useTranslation();
  const from = accounts.find((a) => a.id === draft.fromAccountId);
  const toOptions = [
    ...accounts
      .filter((a) => a.id !== draft.fromAccountId)
      .map((a) => ({
        value: `account:${a.id}`,
        label: t('payments.form.ownAccount', { name: a.name, maskedIban: a.maskedIban }),
      })),
    ...payees.map((p) => ({
      value: `payee:${p.id}`,
      label: t('payments.form.payee', { name: p.name, maskedIban: p.maskedIban }),
    })),
  ];
  const set = (patch: Partial<PaymentDraft>) => onChange({ ...draft, ...patch });
  return (
    <View style={styles.form}>
      {problem ? <Banner tone="danger" message={problem} testID="payment-form-problem" /> : null}
      <Choice
        testID="payment-from"
        label={t('payments.form.from')}
        value={draft.fromAccountId}
        options={accounts.map((a) => ({
          value: a.id,
          label: t('payments.form.ownAccount', { name: a.name, maskedIban: a.maskedIban }),
        }))}
        // A recipient that is the new source would pay an account into itself.
        onChange={(fromAccountId) =>
          set({ fromAccountId, recipient: draft.recipient === `account:${fromAccountId}` ? '' : draft.recipient })
        }
      />
      <FieldProblem testID="payment-from-error" message={errors.from} />
      {toOptions.length > 0 ? (
        <Choice
          testID="payment-to"
          label={t('payments.form.to')}
          value={draft.recipient}
          options={toOptions}
          onChange={(recipient) => set({ recipient })}
        />
      ) : (
        <Text muted testID="payment-to-none">
          {t('payments.form.noRecipients')}
        </Text>
      )}
      <FieldProblem testID="payment-to-error" message={errors.to} />
      <TextField
        testID="payment-amount"
        label={from ? t('payments.form.amountIn', { currency: from.currency }) : t('payments.form.amount')}
        error={errors.amount}
        value={draft.amountText}
        onChangeText={(amountText) => set({ amountText })}
        keyboardType="decimal-pad"
        inputMode="decimal"
        maxLength={amountInputLengthMax}
      />
      <TextField
        testID="payment-reference"
        label={t('payments.form.reference')}
        hint={t('payments.form.referenceHint', { max: referenceLengthMax })}
        error={errors.reference}
        value={draft.reference}
        onChangeText={(reference) => set({ reference })}
        maxLength={referenceLengthMax}
      />
      <Button testID="payment-continue" label={t('payments.form.continue')} onPress={onContinue} />
    </View>
  );
}

/** A field error under a control that is not a text field (the radio groups). */
function FieldProblem({ message, testID }: { readonly message: string | undefined; readonly testID: string }) {
  const { colors } = useTheme();
  if (!message) return null;
  return (
    <Text testID={testID} role="alert" aria-live="polite" style={{ color: colors.danger }}>
      {message}
    </Text>
  );
}

const styles = StyleSheet.create({
  form: { gap: 16 },
});
