/**
 * Text that follows the system's font size (dynamic type): scaling stays on, capped at 2× so a
 * layout built for wrapping still fits; nothing in the kit sets a fixed line height.
 */
import { Text as NativeText, type TextProps } from 'react-native';
import { useTheme } from '../theme';

export const maxFontScale = 2;

type Variant = 'title' | 'heading' | 'body' | 'caption';
const sizes: Record<Variant, { fontSize: number; fontWeight: '400' | '600' | '700' }> = {
  title: { fontSize: 28, fontWeight: '700' },
  heading: { fontSize: 20, fontWeight: '600' },
  body: { fontSize: 16, fontWeight: '400' },
  caption: { fontSize: 13, fontWeight: '400' },
};

export function Text({
  variant = 'body',
  muted = false,
  style,
  ...props
}: TextProps & { variant?: Variant; muted?: boolean }) {
  const { colors } = useTheme();
  return (
    <NativeText
      allowFontScaling
      maxFontSizeMultiplier={maxFontScale}
      role={variant === 'title' || variant === 'heading' ? 'heading' : undefined}
      style={[sizes[variant], { color: muted ? colors.textMuted : colors.text }, style]}
      {...props}
    />
  );
}
