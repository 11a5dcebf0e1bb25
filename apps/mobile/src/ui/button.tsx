import { ActivityIndicator, Pressable, StyleSheet } from 'react-native';
import { useTheme } from '../theme';
import { Text } from './text';

export interface ButtonProps {
  readonly label: string;
  readonly onPress: () => void;
  readonly variant?: 'primary' | 'secondary';
  readonly disabled?: boolean;
  /** Why it is disabled, read out by screen readers (e.g. "You are offline"). */
  readonly disabledReason?: string;
  readonly busy?: boolean;
  readonly testID?: string;
}

export function Button({ label, onPress, variant = 'primary', disabled, disabledReason, busy, testID }: ButtonProps) {
  const theme = useTheme();
  const inactive = Boolean(disabled || busy);
  const primary = variant === 'primary';
  return (
    <Pressable
      testID={testID}
      role="button"
      accessibilityLabel={label}
      accessibilityHint={disabled ? disabledReason : undefined}
      accessibilityState={{ disabled: inactive, busy: Boolean(busy) }}
      // react-native-web reads aria-busy, not accessibilityState: the web says it is busy too.
      aria-busy={Boolean(busy)}
      disabled={inactive}
      onPress={onPress}
      style={({ pressed }) => [
        styles.base,
        {
          minHeight: theme.minTouchSize,
          backgroundColor: primary ? theme.colors.primary : 'transparent',
          borderColor: theme.colors.primary,
          opacity: inactive ? 0.5 : pressed ? 0.8 : 1,
        },
      ]}
    >
      {busy ? (
        // The button says it is busy; its spinner is decoration (else a nameless progressbar, axe: aria-progressbar-name).
        <ActivityIndicator aria-hidden color={primary ? theme.colors.onPrimary : theme.colors.primary} />
      ) : (
        <Text style={{ color: primary ? theme.colors.onPrimary : theme.colors.primary, fontWeight: '600' }}>
          {label}
        </Text>
      )}
    </Pressable>
  );
}

const styles = StyleSheet.create({
  base: {
    borderRadius: 8,
    borderWidth: 1,
    paddingHorizontal: 16,
    paddingVertical: 10,
    alignItems: 'center',
    justifyContent: 'center',
  },
});
