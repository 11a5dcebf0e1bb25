import { Stack } from 'expo-router';
import { useTheme } from '../../../src/theme';

/** The payments tab's stack; each screen draws its own heading and its way back. */
export default function PaymentsStack() {
  const theme = useTheme();
  return <Stack screenOptions={{ headerShown: false, contentStyle: { backgroundColor: theme.colors.background } }} />;
}
