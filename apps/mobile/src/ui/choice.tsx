import { Pressable, StyleSheet, View } from 'react-native';
import { useTheme } from '../theme';
import { Text } from './text';

export interface ChoiceProps<T extends string> {
  readonly label: string;
  readonly value: T;
  readonly options: readonly { readonly value: T; readonly label: string }[];
  readonly onChange: (value: T) => void;
  readonly testID?: string;
}

/** A labelled group of radio buttons (role radiogroup / radio with its checked state). */
export function Choice<T extends string>({ label, value, options, onChange, testID }: ChoiceProps<T>) {
  const theme = useTheme();
  return (
    <View testID={testID} role="radiogroup" accessibilityLabel={label} style={styles.group}>
      <Text variant="heading">{label}</Text>
      {options.map((option) => {
        const checked = option.value === value;
        return (
          <Pressable
            key={option.value}
            testID={testID ? `${testID}-${option.value}` : undefined}
            role="radio"
            accessibilityLabel={option.label}
            accessibilityState={{ checked }}
            aria-checked={checked}
            onPress={() => onChange(option.value)}
            style={[styles.option, { minHeight: theme.minTouchSize, borderColor: theme.colors.border }]}
          >
            <View
              style={[
                styles.dot,
                { borderColor: theme.colors.primary, backgroundColor: checked ? theme.colors.primary : 'transparent' },
              ]}
            />
            <Text>{option.label}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

const styles = StyleSheet.create({
  group: { gap: 4 },
  option: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: 12,
    paddingHorizontal: 8,
    borderBottomWidth: StyleSheet.hairlineWidth,
  },
  dot: { width: 20, height: 20, borderRadius: 10, borderWidth: 2 },
});
