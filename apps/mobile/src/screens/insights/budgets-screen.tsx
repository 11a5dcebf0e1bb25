/**
 * Monthly budgets: each with this month's spending against it (a warning from 80 %, exceeded from
 * 100 %, as the API's `level` says), a form that sets or replaces one, and removal after asking.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { fieldError, problemDetail } from '../../api/errors';
import { formatMoney, toDecimalString } from '../../format/money';
import { formatShare } from '../../format/months';
import { useLocale } from '../../i18n/provider';
import {
  type Budget,
  budgetCategories,
  type Category,
  insightsCurrency,
  useBudgets,
  useDeleteBudget,
  useSetBudget,
} from '../../queries/insights';
import { useOnline } from '../../state/network';
import { useTheme } from '../../theme';
import { Banner, Button, Choice, DataAge, Screen, type ScreenState, Text, TextField } from '../../ui';
import { toMoney } from '../accounts/parts';
import { amountInputText, parseAmountInput } from '../payments/amount-input';
import { ConfirmDialog } from '../security/confirm-dialog';
import { Bar, perMille, useCategoryName } from './parts';

export function BudgetsScreen() {
  const { t } = useTranslation();
  const budgets = useBudgets();
  const [removing, setRemoving] = useState<Budget | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const name = useCategoryName();
  const remove = useDeleteBudget();
  const state: ScreenState = budgets.isPending
    ? { status: 'loading' }
    : budgets.isError
      ? { status: 'error', detail: problemDetail(budgets.error, t), onRetry: () => void budgets.refetch() }
      : { status: 'ready' };
  const list = budgets.data ?? [];
  return (
    <Screen title={t('insights.budgets.title')} state={state} testID="budgets-screen">
      <DataAge updatedAt={budgets.dataUpdatedAt} />
      {notice ? (
        <Text testID="budgets-notice" role="status" aria-live="polite">
          {notice}
        </Text>
      ) : null}
      {remove.isError ? (
        <Banner tone="danger" testID="budgets-problem" message={problemDetail(remove.error, t)} />
      ) : null}
      {list.length === 0 ? (
        <Text muted testID="budgets-empty">
          {t('insights.budgets.empty')}
        </Text>
      ) : (
        list.map((budget) => (
          <BudgetRow
            key={`${budget.category}-${budget.amount.currency}`}
            budget={budget}
            onRemove={() => setRemoving(budget)}
          />
        ))
      )}
      <BudgetForm existing={list} onSaved={setNotice} />
      {removing ? (
        <ConfirmDialog
          title={t('insights.budgets.delete', { category: name(removing.category) })}
          message={t('insights.budgets.deleteQuestion', { category: name(removing.category) })}
          confirmLabel={t('insights.budgets.deleteConfirm')}
          cancelLabel={t('insights.budgets.deleteCancel')}
          onCancel={() => setRemoving(undefined)}
          onConfirm={() => {
            const { category, amount } = removing;
            setRemoving(undefined);
            remove.mutate(
              { category, currency: amount.currency },
              { onSuccess: () => setNotice(t('insights.budgets.deleted', { category: name(category) })) },
            );
          }}
        />
      ) : null}
    </Screen>
  );
}

function BudgetRow({ budget, onRemove }: { readonly budget: Budget; readonly onRemove: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { colors } = useTheme();
  const name = useCategoryName();
  const spent = toMoney(budget.spent);
  const amount = toMoney(budget.amount);
  const values = { spent: formatMoney(spent, locale), amount: formatMoney(amount, locale) };
  const level = t(`insights.budgets.level.${budget.level}`, { share: formatShare(budget.share, locale) });
  const tone = budget.level === 'exceeded' ? 'danger' : budget.level === 'warning' ? 'warning' : 'primary';
  const levelColor =
    budget.level === 'exceeded' ? colors.danger : budget.level === 'warning' ? colors.warningText : colors.textMuted;
  return (
    <View testID={`budget-${budget.category}`} style={[styles.budget, { borderColor: colors.border }]}>
      <Text variant="heading">{name(budget.category)}</Text>
      <Text>{t('insights.budgets.spentOf', values)}</Text>
      <Bar
        testID={`budget-bar-${budget.category}`}
        label={t('insights.budgets.row', { category: name(budget.category), ...values, level })}
        perMille={perMille(spent.amountMinor, amount.amountMinor)}
        tone={tone}
      />
      <Text testID={`budget-level-${budget.category}`} style={{ color: levelColor, fontWeight: '600' }}>
        {level}
      </Text>
      <Button
        testID={`budget-delete-${budget.category}`}
        variant="secondary"
        label={t('insights.budgets.delete', { category: name(budget.category) })}
        onPress={onRemove}
      />
    </View>
  );
}

function BudgetForm({
  existing,
  onSaved,
}: {
  readonly existing: readonly Budget[];
  readonly onSaved: (notice: string) => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const online = useOnline();
  const name = useCategoryName();
  const save = useSetBudget();
  const [category, setCategory] = useState<Category>(budgetCategories[0] ?? 'groceries');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | undefined>();

  const choose = (next: Category) => {
    setCategory(next);
    // Replacing a budget starts from its amount.
    const current = existing.find((b) => b.category === next && b.amount.currency === insightsCurrency);
    setText(current ? amountInputText(toMoney(current.amount), locale) : '');
  };

  const submit = () => {
    const parsed = parseAmountInput(text, locale, insightsCurrency);
    if (!parsed.ok) {
      return setProblem(t(`payments.form.amountProblem.${parsed.problem}`, { count: parsed.digits }));
    }
    setProblem(undefined);
    const amount = { amount: toDecimalString(parsed.money), currency: insightsCurrency };
    save.mutate(
      { category, amount },
      {
        onSuccess: (budget) => {
          setText('');
          onSaved(
            t('insights.budgets.saved', {
              category: name(budget.category),
              amount: formatMoney(toMoney(budget.amount), locale),
            }),
          );
        },
        onError: (error) => setProblem(fieldError(error, '/body/amount/amount') ?? problemDetail(error, t)),
      },
    );
  };

  return (
    <View style={styles.form} testID="budget-form">
      <Text variant="heading">{t('insights.budgets.setTitle')}</Text>
      <Text muted>{t('insights.budgets.replaceHint')}</Text>
      <Choice
        testID="budget-category"
        label={t('insights.budgets.category')}
        value={category}
        options={budgetCategories.map((c) => ({ value: c, label: name(c) }))}
        onChange={choose}
      />
      <TextField
        testID="budget-amount"
        label={t('insights.budgets.amount', { currency: insightsCurrency })}
        value={text}
        onChangeText={setText}
        keyboardType="decimal-pad"
        error={problem}
      />
      <Button
        testID="budget-save"
        label={t('insights.budgets.save')}
        onPress={submit}
        busy={save.isPending}
        disabled={!online}
        disabledReason={t('accounts.offlineReason')}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  budget: { gap: 6, paddingBottom: 12, borderBottomWidth: StyleSheet.hairlineWidth },
  form: { gap: 12 },
});
