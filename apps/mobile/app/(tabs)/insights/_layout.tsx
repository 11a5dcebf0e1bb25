import { Stack } from 'expo-router';
import { useTheme } from '../../../src/theme';

/**
 * The insights tab's stack: spending, budgets, bills and regular payments, the feed and its
 * dismissed insights, and forecasts; each screen draws its own heading.
 */
export default function InsightsStack() {
  const theme = useTheme();
  return <Stack screenOptions={{ headerShown: false, contentStyle: { backgroundColor: theme.colors.background } }} />;
}
