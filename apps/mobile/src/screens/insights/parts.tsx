/**
 * Pieces the insight screens share: category names, an insight's message in the app's language,
 * and a bar drawn with plain Views (no chart library): a track and a fill whose length is the
 * value's part of the largest, each bar one image for screen readers, named with what it shows.
 */
import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, StyleSheet, View } from 'react-native';
import { formatMoney } from '../../format/money';
import { formatDay, isDay } from '../../format/months';
import { useLocale } from '../../i18n/provider';
import { type Category, type Insight, isCategory } from '../../queries/insights';
import { useTheme } from '../../theme';
import { Text } from '../../ui';
import { toMoney } from '../accounts/parts';

/** A category's name in the app's language; a code newer than the app reads as "Other". */
export function categoryName(category: string, t: TFunction): string {
  return t(`insights.category.${isCategory(category) ? category : 'other'}`);
}

export function useCategoryName(): (category: Category | string) => string {
  const { t } = useTranslation();
  return useCallback((category) => categoryName(category, t), [t]);
}

/** Whole per mille of `part` in `whole` (both minor units), for a bar's length without floats of money. */
export function perMille(part: bigint, whole: bigint): number {
  if (whole <= 0n || part <= 0n) return 0;
  const value = (part * 1000n) / whole;
  return Number(value > 1000n ? 1000n : value);
}

/** The largest of some amounts in minor units, and zero (a chart's scale starts at zero). */
export function largestMinor(values: Iterable<bigint>): bigint {
  let largest = 0n;
  for (const value of values) if (value > largest) largest = value;
  return largest;
}

/** The smallest of some amounts in minor units, and zero. */
export function smallestMinor(values: Iterable<bigint>): bigint {
  let smallest = 0n;
  for (const value of values) if (value < smallest) smallest = value;
  return smallest;
}

const isMoney = (value: unknown): value is { amount: string; currency: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { amount?: unknown }).amount === 'string' &&
  typeof (value as { currency?: unknown }).currency === 'string';

/**
 * The insight in the app's language: its messageKey translated with its params, each made local
 * (amounts from `data` in the locale's format, days formatted, categories and frequencies named);
 * a key this app has no text for shows the API's English message.
 */
export function useInsightMessage(): (insight: Insight) => string {
  const { t, i18n } = useTranslation();
  const locale = useLocale();
  return useCallback(
    (insight) => {
      const key = insight.messageKey.replace(/^insights\./, 'insights.message.');
      if (key === insight.messageKey || !i18n.exists(key)) return insight.message;
      const local: Record<string, string> = {};
      for (const [name, text] of Object.entries(insight.params)) {
        const fact = insight.data[name];
        local[name] = isMoney(fact)
          ? formatMoney(toMoney(fact), locale)
          : name === 'category' && typeof fact === 'string'
            ? categoryName(fact, t)
            : name === 'frequency' && i18n.exists(`insights.frequency.${text}`)
              ? t(`insights.frequency.${text}`)
              : isDay(text)
                ? formatDay(text, locale)
                : text;
      }
      return t(key, local);
    },
    [t, i18n, locale],
  );
}

export interface BarProps {
  /** What a screen reader says for the bar: its label and its value. */
  readonly label: string;
  /** The fill's length in per mille of the track (0..1000). */
  readonly perMille: number;
  readonly tone?: 'primary' | 'warning' | 'danger';
  readonly testID?: string;
}

/** A horizontal bar: the fill on a track, one image named by `label`. */
export function Bar({ label, perMille: length, tone = 'primary', testID }: BarProps) {
  const { colors } = useTheme();
  const fill = tone === 'danger' ? colors.danger : tone === 'warning' ? colors.warningText : colors.primary;
  return (
    <View
      testID={testID}
      accessible
      role="img"
      accessibilityLabel={label}
      style={[styles.track, { backgroundColor: colors.background, borderColor: colors.border }]}
    >
      <View style={[styles.fill, { width: `${length / 10}%`, backgroundColor: fill }]} />
    </View>
  );
}

/** A row that leads to another screen: a button named by its text. */
export function LinkRow({
  label,
  onPress,
  testID,
}: {
  readonly label: string;
  readonly onPress: () => void;
  readonly testID?: string;
}) {
  const theme = useTheme();
  return (
    <Pressable
      testID={testID}
      role="button"
      accessibilityLabel={label}
      onPress={onPress}
      style={({ pressed }) => [
        styles.link,
        { minHeight: theme.minTouchSize, borderColor: theme.colors.border, opacity: pressed ? 0.8 : 1 },
      ]}
    >
      <Text style={{ color: theme.colors.primary, fontWeight: '600' }}>{label}</Text>
      <Text aria-hidden style={{ color: theme.colors.primary }}>
        ›
      </Text>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  track: { height: 12, borderRadius: 6, borderWidth: StyleSheet.hairlineWidth, overflow: 'hidden' },
  fill: { height: '100%', borderRadius: 6 },
  link: {
    flexDirection: 'row',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: 12,
    paddingVertical: 8,
    borderBottomWidth: StyleSheet.hairlineWidth,
  },
});
