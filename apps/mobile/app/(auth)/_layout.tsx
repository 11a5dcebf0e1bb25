/** The signed-out screens: sign-in and registration. A signed-in customer is sent on to the app. */
import { Redirect, Stack } from 'expo-router';
import { useSession } from '../../src/session/context';

export default function AuthLayout() {
  const session = useSession();
  if (session.status === 'signed-in') return <Redirect href="/home" />;
  return <Stack screenOptions={{ headerShown: false }} />;
}
