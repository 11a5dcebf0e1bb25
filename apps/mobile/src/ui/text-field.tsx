import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, TextInput, type TextInputProps, View } from 'react-native';
import { useTheme } from '../theme';
import { maxFontScale, Text } from './text';

export interface TextFieldProps extends Omit<TextInputProps, 'style'> {
  readonly label: string;
  /** The API's field error (`errors[].detail` of the problem whose pointer names this field). */
  readonly error?: string;
  readonly hint?: string;
}

/** A labelled input that shows the API's error for its field under it and announces it. */
export function TextField({ label, error, hint, testID, ...input }: TextFieldProps) {
  const theme = useTheme();
  const { t } = useTranslation();
  const errorId = useId();
  const description = error ? t('field.errorPrefix', { detail: error }) : hint;
  return (
    <View style={styles.field}>
      <Text nativeID={`${errorId}-label`} style={styles.label}>
        {label}
      </Text>
      <TextInput
        testID={testID}
        accessibilityLabel={label}
        accessibilityHint={description}
        aria-invalid={Boolean(error)}
        aria-labelledby={`${errorId}-label`}
        allowFontScaling
        maxFontSizeMultiplier={maxFontScale}
        placeholderTextColor={theme.colors.textMuted}
        style={[
          styles.input,
          {
            minHeight: theme.minTouchSize,
            color: theme.colors.text,
            backgroundColor: theme.colors.surface,
            borderColor: error ? theme.colors.danger : theme.colors.border,
          },
        ]}
        {...input}
      />
      {error ? (
        <Text role="alert" aria-live="polite" nativeID={errorId} style={{ color: theme.colors.danger }}>
          {error}
        </Text>
      ) : hint ? (
        <Text variant="caption" muted>
          {hint}
        </Text>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  field: { gap: 4 },
  label: { fontWeight: '600' },
  input: { borderWidth: 1, borderRadius: 8, paddingHorizontal: 12, fontSize: 16 },
});
