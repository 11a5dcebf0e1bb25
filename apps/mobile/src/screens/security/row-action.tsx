import { Pressable, StyleSheet } from 'react-native';
import { useTheme } from '../../theme';
import { Text } from '../../ui';

export interface RowActionProps {
  /** What the button shows, e.g. "Revoke". */
  readonly label: string;
  /** What a screen reader says, naming the row: "Revoke My phone" (many rows show the same label). */
  readonly accessibilityLabel: string;
  readonly onPress: () => void;
  readonly disabled?: boolean;
  readonly disabledReason?: string;
  readonly testID?: string;
}

/** A small text button inside a list row. */
export function RowAction({ label, accessibilityLabel, onPress, disabled, disabledReason, testID }: RowActionProps) {
  const theme = useTheme();
  return (
    <Pressable
      testID={testID}
      role="button"
      accessibilityLabel={accessibilityLabel}
      accessibilityHint={disabled ? disabledReason : undefined}
      accessibilityState={{ disabled: Boolean(disabled) }}
      disabled={disabled}
      onPress={onPress}
      style={({ pressed }) => [
        styles.action,
        { minHeight: theme.minTouchSize, opacity: disabled ? 0.5 : pressed ? 0.7 : 1 },
      ]}
    >
      <Text style={{ color: theme.colors.primary, fontWeight: '600' }}>{label}</Text>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  action: { justifyContent: 'center', paddingHorizontal: 8 },
});
