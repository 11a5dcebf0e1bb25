import { Redirect } from 'expo-router';

/** The front door. Until sign-in lands (packages/api-client), it opens the settings tab. */
export default function Index() {
  return <Redirect href="/settings" />;
}
