/**
 * Opening an account: its type, currency and an optional name, as POST /api/v1/accounts takes them.
 * The API's field problems (`/body/<field>`) show next to their fields, anything else above the button.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { fieldError, problemDetail } from '../../api/errors';
import { type AccountType, accountTypes, type Currency, currencies, useOpenAccount } from '../../queries/accounts';
import { useOnline } from '../../state/network';
import { useTheme } from '../../theme';
import { Banner, Button, Choice, Screen, Text, TextField } from '../../ui';

/** The API's maximum for an account's name. */
const nameLengthMax = 100;
const bodyFields = ['/body/type', '/body/currency', '/body/name'];

export interface OpenAccountScreenProps {
  readonly onOpened: (accountId: string) => void;
}

export function OpenAccountScreen({ onOpened }: OpenAccountScreenProps) {
  const { t } = useTranslation();
  const online = useOnline();
  const open = useOpenAccount();
  const [type, setType] = useState<AccountType>('checking');
  const [currency, setCurrency] = useState<Currency>('EUR');
  const [name, setName] = useState('');

  const submit = () => {
    const trimmed = name.trim();
    open.mutate(
      { type, currency, ...(trimmed ? { name: trimmed } : {}) },
      { onSuccess: (account) => onOpened(account.id) },
    );
  };
  // A problem that names none of the form's fields is shown once, above the button.
  const general =
    open.error && !bodyFields.some((pointer) => fieldError(open.error, pointer))
      ? problemDetail(open.error, t)
      : undefined;

  return (
    <Screen testID="open-account-screen" title={t('accounts.open.title')}>
      <Text muted>{t('accounts.open.intro')}</Text>
      <Choice
        label={t('accounts.open.type')}
        value={type}
        options={accountTypes.map((value) => ({ value, label: t(`accounts.type.${value}`) }))}
        onChange={setType}
        testID="open-type"
      />
      <FieldProblem message={fieldError(open.error, '/body/type')} testID="open-type-error" />
      <Choice
        label={t('accounts.open.currency')}
        value={currency}
        options={currencies.map((value) => ({ value, label: t(`accounts.currency.${value}`) }))}
        onChange={setCurrency}
        testID="open-currency"
      />
      <FieldProblem message={fieldError(open.error, '/body/currency')} testID="open-currency-error" />
      <TextField
        label={t('accounts.open.name')}
        hint={t('accounts.open.nameHint')}
        value={name}
        onChangeText={setName}
        maxLength={nameLengthMax}
        error={fieldError(open.error, '/body/name')}
        testID="open-name"
      />
      {general ? <Banner tone="danger" message={general} testID="open-problem" /> : null}
      <Button
        label={t('accounts.open.submit')}
        onPress={submit}
        busy={open.isPending}
        disabled={!online}
        disabledReason={t('accounts.offlineReason')}
        testID="open-submit"
      />
    </Screen>
  );
}

/** A choice's field problem, placed under it and announced like a TextField's. */
function FieldProblem({ message, testID }: { readonly message: string | undefined; readonly testID: string }) {
  const theme = useTheme();
  if (!message) return null;
  return (
    <View style={styles.problem}>
      <Text testID={testID} role="alert" aria-live="polite" style={{ color: theme.colors.danger }}>
        {message}
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  problem: { marginTop: -8 },
});
