/**
 * A transaction's category, and correcting it: the customer picks another and the API applies it
 * to this merchant's payments from now on (docs/api/insights.md "PUT /transactions/{id}/category").
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { problemDetail } from '../../api/errors';
import { type Category, categories, isCategory, useCorrectCategory } from '../../queries/insights';
import type { Transaction } from '../../queries/transactions';
import { useOnline } from '../../state/network';
import { useTheme } from '../../theme';
import { Banner, Button, Choice, Text } from '../../ui';
import { useCategoryName } from '../insights/parts';

export function CategoryCorrection({ transaction }: { readonly transaction: Transaction }) {
  const { t } = useTranslation();
  const theme = useTheme();
  const online = useOnline();
  const name = useCategoryName();
  const correct = useCorrectCategory(transaction.accountId);
  const current = isCategory(transaction.category) ? transaction.category : 'other';
  const [choosing, setChoosing] = useState<Category | undefined>();
  const [saved, setSaved] = useState<string | undefined>();

  const save = (category: Category) =>
    correct.mutate(
      { transactionId: transaction.id, category },
      {
        onSuccess: (correction) => {
          setChoosing(undefined);
          setSaved(t('insights.correct.saved', { category: name(correction.category) }));
        },
      },
    );

  return (
    <View style={[styles.field, { borderColor: theme.colors.border }]} testID="transaction-category">
      <Text muted>{t('accounts.transaction.category')}</Text>
      <Text testID="transaction-category-name">{name(current)}</Text>
      {saved ? (
        <Text testID="transaction-category-saved" role="status" aria-live="polite">
          {saved}
        </Text>
      ) : null}
      {choosing === undefined ? (
        <Button
          testID="transaction-category-change"
          variant="secondary"
          label={t('insights.correct.change')}
          onPress={() => {
            setSaved(undefined);
            setChoosing(current);
          }}
          disabled={!online}
          disabledReason={t('accounts.offlineReason')}
        />
      ) : (
        <View style={styles.gap}>
          <Choice
            testID="transaction-category-choice"
            label={t('insights.correct.title')}
            value={choosing}
            options={categories.map((c) => ({ value: c, label: name(c) }))}
            onChange={setChoosing}
          />
          {correct.isError ? (
            <Banner tone="danger" testID="transaction-category-problem" message={problemDetail(correct.error, t)} />
          ) : null}
          <Button
            testID="transaction-category-save"
            label={t('insights.correct.save')}
            onPress={() => save(choosing)}
            busy={correct.isPending}
            disabled={!online}
            disabledReason={t('accounts.offlineReason')}
          />
          <Button
            testID="transaction-category-cancel"
            variant="secondary"
            label={t('insights.correct.cancel')}
            onPress={() => {
              correct.reset();
              setChoosing(undefined);
            }}
          />
        </View>
      )}
    </View>
  );
}

const styles = StyleSheet.create({
  field: { gap: 6, paddingBottom: 8, borderBottomWidth: StyleSheet.hairlineWidth },
  gap: { gap: 12 },
});
