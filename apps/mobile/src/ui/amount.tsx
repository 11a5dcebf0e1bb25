import { type FormatMoneyOptions, formatMoney, type Money } from '../format/money';
import { useLocale } from '../i18n/provider';
import { useTheme } from '../theme';
import { Text } from './text';

export interface AmountProps extends FormatMoneyOptions {
  readonly value: Money;
  readonly variant?: 'title' | 'heading' | 'body';
  /** Colours credits (positive amounts) when the context is a movement, not a balance. */
  readonly movement?: boolean;
  readonly testID?: string;
}

/** An amount in the user's locale and the currency's own digits, read out whole by screen readers. */
export function Amount({ value, variant = 'body', movement = false, testID, ...options }: AmountProps) {
  const locale = useLocale();
  const { colors } = useTheme();
  const text = formatMoney(value, locale, {
    ...options,
    signDisplay: options.signDisplay ?? (movement ? 'exceptZero' : 'auto'),
  });
  const credit = movement && value.amountMinor > 0n;
  return (
    <Text
      testID={testID}
      variant={variant}
      accessibilityLabel={text}
      style={[{ fontVariant: ['tabular-nums'] }, credit ? { color: colors.credit } : null]}
    >
      {text}
    </Text>
  );
}
