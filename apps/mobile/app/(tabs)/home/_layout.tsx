import { Stack } from 'expo-router';
import { useTheme } from '../../../src/theme';

/** The accounts tab's stack: each screen draws its own heading, so the stack shows no header. */
export default function HomeStack() {
  const theme = useTheme();
  return <Stack screenOptions={{ headerShown: false, contentStyle: { backgroundColor: theme.colors.background } }} />;
}
