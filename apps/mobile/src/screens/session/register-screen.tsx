/**
 * Registration: name, e-mail and password, checked by the API (its password rules are the bank's:
 * length, common and breached passwords, personal data). Each refused rule is shown at the password
 * field in the customer's language; an e-mail already registered is said at the e-mail field.
 * Then the customer signs in (the authorization server) and goes on to verify their identity.
 */
import { ApiProblem } from '@nextgen/api-client';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldError, isProblem, problemDetail } from '../../api/errors';
import { type Registration, useRegister } from '../../queries/registration';
import { useSession } from '../../session/context';
import { useOnline } from '../../state/network';
import { Banner, Button, Screen, Text, TextField } from '../../ui';

type Field = keyof Registration;
const fields: readonly Field[] = ['name', 'email', 'password'];
const passwordRules = ['too_short', 'too_long', 'common', 'personal_data', 'repetitive', 'sequential'] as const;

export function RegisterScreen({ onSignIn }: { readonly onSignIn?: () => void }) {
  const { t } = useTranslation();
  const online = useOnline();
  const session = useSession();
  const register = useRegister();
  const [form, setForm] = useState<Registration>({ name: '', email: '', password: '' });
  const [missing, setMissing] = useState<ReadonlySet<Field>>(new Set());

  if (register.data) {
    return (
      <Screen title={t('session.register.doneTitle')} testID="register-done">
        <Text>{t('session.register.doneBody', { email: register.data.email })}</Text>
        <Button
          testID="register-sign-in"
          label={t('session.register.doneSignIn')}
          onPress={() => void session.signIn('/kyc')}
        />
      </Screen>
    );
  }

  const error = register.error;
  const errorFor = (field: Field): string | undefined => {
    if (missing.has(field)) return t('session.register.required');
    if (field === 'password' && isProblem(error, 'weak_password')) {
      const rules = error.errors.map((e) => (e as { rule?: string }).rule);
      const known = passwordRules.filter((rule) => rules.includes(rule));
      return known.length > 0 ? known.map((rule) => t(`session.register.rules.${rule}`)).join(' ') : error.detail;
    }
    if (field === 'email' && isProblem(error, 'email_taken')) return error.detail;
    return fieldError(error, `/body/${field}`);
  };
  const fieldProblem =
    error instanceof ApiProblem &&
    (error.code === 'weak_password' || error.code === 'email_taken' || error.errors.length > 0);

  const submit = () => {
    const empty = new Set(fields.filter((field) => form[field].trim() === ''));
    setMissing(empty);
    if (empty.size > 0) return;
    register.mutate({ name: form.name.trim(), email: form.email.trim(), password: form.password });
  };
  const set = (field: Field) => (value: string) => setForm((now) => ({ ...now, [field]: value }));

  return (
    <Screen title={t('session.register.title')} testID="register-screen">
      <Text>{t('session.register.intro')}</Text>
      {error && !fieldProblem ? (
        <Banner tone="danger" testID="register-error" message={problemDetail(error, t)} />
      ) : null}
      <TextField
        testID="register-name"
        label={t('session.register.name')}
        value={form.name}
        onChangeText={set('name')}
        autoComplete="name"
        textContentType="name"
        error={errorFor('name')}
      />
      <TextField
        testID="register-email"
        label={t('session.register.email')}
        value={form.email}
        onChangeText={set('email')}
        autoComplete="email"
        textContentType="emailAddress"
        keyboardType="email-address"
        autoCapitalize="none"
        error={errorFor('email')}
      />
      <TextField
        testID="register-password"
        label={t('session.register.password')}
        value={form.password}
        onChangeText={set('password')}
        secureTextEntry
        autoComplete="new-password"
        textContentType="newPassword"
        hint={t('session.register.passwordHint')}
        error={errorFor('password')}
      />
      <Button
        testID="register-submit"
        label={t('session.register.submit')}
        busy={register.isPending}
        disabled={!online}
        disabledReason={t('offline.banner')}
        onPress={submit}
      />
      {onSignIn ? <Button variant="secondary" label={t('session.register.haveAccount')} onPress={onSignIn} /> : null}
    </Screen>
  );
}
