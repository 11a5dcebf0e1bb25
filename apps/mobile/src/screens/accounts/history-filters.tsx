/**
 * The history's filters as the API takes them: a date range (days in the customer's time zone,
 * sent as RFC 3339 instants), an amount range (decimal major units), direction and status. They
 * are checked here first so a typo shows next to its field without a round trip; the API's own
 * field problems (`/query/<name>`) show there too.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { fieldError } from '../../api/errors';
import {
  type HistoryFilters,
  type TransactionDirection,
  type TransactionStatus,
  transactionDirections,
  transactionStatuses,
} from '../../queries/transactions';
import { Button, Choice, TextField } from '../../ui';

type Filters = Omit<HistoryFilters, 'q'>;
type Any = 'any';

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
/** The API's pattern for minAmount / maxAmount. */
const amountPattern = /^(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?$/;

/** A YYYY-MM-DD day as the instant it starts (or ends) in this device's time zone; undefined if no such day. */
export function dayBoundary(day: string, end: boolean): string | undefined {
  const match = dayPattern.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const instant = end ? new Date(year, month, date, 23, 59, 59, 999) : new Date(year, month, date);
  if (instant.getFullYear() !== year || instant.getMonth() !== month || instant.getDate() !== date) return undefined;
  return instant.toISOString();
}

/** The day of an instant in this device's time zone, to show a filter again in its own field. */
function dayOf(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

interface Draft {
  readonly fromDay: string;
  readonly toDay: string;
  readonly minAmount: string;
  readonly maxAmount: string;
  readonly direction: TransactionDirection | Any;
  readonly status: TransactionStatus | Any;
}

const draftOf = (filters: Filters): Draft => ({
  fromDay: dayOf(filters.from),
  toDay: dayOf(filters.to),
  minAmount: filters.minAmount ?? '',
  maxAmount: filters.maxAmount ?? '',
  direction: filters.direction ?? 'any',
  status: filters.status ?? 'any',
});

/** a > b for two decimal strings of the API's pattern, exactly (no detour through a JS number). */
function decimalAbove(a: string, b: string): boolean {
  const [aWhole = '', aFraction = ''] = a.split('.');
  const [bWhole = '', bFraction = ''] = b.split('.');
  if (aWhole.length !== bWhole.length) return aWhole.length > bWhole.length;
  const digits = Math.max(aFraction.length, bFraction.length);
  return aWhole + aFraction.padEnd(digits, '0') > bWhole + bFraction.padEnd(digits, '0');
}

type DraftErrors = Partial<Record<'fromDay' | 'toDay' | 'minAmount' | 'maxAmount', string>>;

/** The filters of a draft, or the fields that are wrong (messages as translation keys). */
function parseDraft(draft: Draft): { filters: Filters } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  const from = draft.fromDay.trim() ? dayBoundary(draft.fromDay.trim(), false) : undefined;
  const to = draft.toDay.trim() ? dayBoundary(draft.toDay.trim(), true) : undefined;
  if (draft.fromDay.trim() && !from) errors.fromDay = 'accounts.filters.badDay';
  if (draft.toDay.trim() && !to) errors.toDay = 'accounts.filters.badDay';
  if (from && to && from > to) errors.toDay = 'accounts.filters.toBeforeFrom';
  const amount = (text: string) => text.trim().replace(',', '.');
  const minAmount = amount(draft.minAmount);
  const maxAmount = amount(draft.maxAmount);
  if (minAmount && !amountPattern.test(minAmount)) errors.minAmount = 'accounts.filters.badAmount';
  if (maxAmount && !amountPattern.test(maxAmount)) errors.maxAmount = 'accounts.filters.badAmount';
  if (!errors.minAmount && !errors.maxAmount && minAmount && maxAmount && decimalAbove(minAmount, maxAmount)) {
    errors.maxAmount = 'accounts.filters.maxBelowMin';
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    filters: {
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(minAmount ? { minAmount } : {}),
      ...(maxAmount ? { maxAmount } : {}),
      ...(draft.direction !== 'any' ? { direction: draft.direction } : {}),
      ...(draft.status !== 'any' ? { status: draft.status } : {}),
    },
  };
}

export interface HistoryFiltersProps {
  readonly value: Filters;
  readonly onApply: (filters: Filters) => void;
  /** The history's last failure, for the API's field problems. */
  readonly error: unknown;
}

export function HistoryFilterPanel({ value, onApply, error }: HistoryFiltersProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => draftOf(value));
  const [errors, setErrors] = useState<DraftErrors>({});
  const active = Object.keys(value).length;
  const edit = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));

  const apply = () => {
    const parsed = parseDraft(draft);
    if ('errors' in parsed) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    onApply(parsed.filters);
  };
  const clear = () => {
    setDraft(draftOf({}));
    setErrors({});
    onApply({});
  };
  const shown = (field: keyof DraftErrors, pointer: string) => {
    const key = errors[field];
    return key ? t(key) : fieldError(error, pointer);
  };

  return (
    <View style={styles.panel}>
      <Button
        label={active > 0 ? t('accounts.filters.toggleActive', { count: active }) : t('accounts.filters.toggle')}
        variant="secondary"
        onPress={() => setOpen((now) => !now)}
        testID="history-filters-toggle"
      />
      {open ? (
        <View style={styles.panel} testID="history-filters">
          <View style={styles.pair}>
            <View style={styles.half}>
              <TextField
                label={t('accounts.filters.fromDay')}
                hint={t('accounts.filters.dayHint')}
                value={draft.fromDay}
                onChangeText={(fromDay) => edit({ fromDay })}
                error={shown('fromDay', '/query/from')}
                autoCorrect={false}
                maxLength={10}
                testID="filter-from"
              />
            </View>
            <View style={styles.half}>
              <TextField
                label={t('accounts.filters.toDay')}
                hint={t('accounts.filters.dayHint')}
                value={draft.toDay}
                onChangeText={(toDay) => edit({ toDay })}
                error={shown('toDay', '/query/to')}
                autoCorrect={false}
                maxLength={10}
                testID="filter-to"
              />
            </View>
          </View>
          <View style={styles.pair}>
            <View style={styles.half}>
              <TextField
                label={t('accounts.filters.minAmount')}
                value={draft.minAmount}
                onChangeText={(minAmount) => edit({ minAmount })}
                error={shown('minAmount', '/query/minAmount')}
                keyboardType="decimal-pad"
                maxLength={40}
                testID="filter-min-amount"
              />
            </View>
            <View style={styles.half}>
              <TextField
                label={t('accounts.filters.maxAmount')}
                value={draft.maxAmount}
                onChangeText={(maxAmount) => edit({ maxAmount })}
                error={shown('maxAmount', '/query/maxAmount')}
                keyboardType="decimal-pad"
                maxLength={40}
                testID="filter-max-amount"
              />
            </View>
          </View>
          <Choice
            label={t('accounts.filters.direction')}
            value={draft.direction}
            options={[
              { value: 'any' as const, label: t('accounts.filters.any') },
              ...transactionDirections.map((d) => ({ value: d, label: t(`accounts.direction.${d}`) })),
            ]}
            onChange={(direction) => edit({ direction })}
            testID="filter-direction"
          />
          <Choice
            label={t('accounts.filters.status')}
            value={draft.status}
            options={[
              { value: 'any' as const, label: t('accounts.filters.any') },
              ...transactionStatuses.map((s) => ({ value: s, label: t(`accounts.txStatus.${s}`) })),
            ]}
            onChange={(status) => edit({ status })}
            testID="filter-status"
          />
          <Button label={t('accounts.filters.apply')} onPress={apply} testID="history-filters-apply" />
          <Button
            label={t('accounts.filters.clear')}
            variant="secondary"
            onPress={clear}
            testID="history-filters-clear"
          />
        </View>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  panel: { gap: 12 },
  pair: { flexDirection: 'row', flexWrap: 'wrap', gap: 12 },
  half: { flexGrow: 1, flexBasis: 140 },
});
