import { StyleSheet, View } from 'react-native';
import { useTheme } from '../theme';
import { Text } from './text';

export interface BannerProps {
  readonly message: string;
  readonly tone?: 'warning' | 'danger';
  readonly testID?: string;
}

/** A full-width notice announced to screen readers as it appears (offline, a problem's detail). */
export function Banner({ message, tone = 'warning', testID }: BannerProps) {
  const { colors } = useTheme();
  const danger = tone === 'danger';
  return (
    <View
      testID={testID}
      accessible
      role="alert"
      aria-live="polite"
      style={[
        styles.banner,
        {
          backgroundColor: danger ? colors.surface : colors.warningBackground,
          borderColor: danger ? colors.danger : colors.warningText,
        },
      ]}
    >
      <Text style={{ color: danger ? colors.danger : colors.warningText }}>{message}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  banner: { padding: 12, borderLeftWidth: 4 },
});
