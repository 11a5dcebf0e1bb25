import { useRouter } from 'expo-router';
import { OpenAccountScreen } from '../../../src/screens/accounts/open-account-screen';

export default function OpenAccountRoute() {
  const router = useRouter();
  // The form is done once the account exists: going back from the new account returns home.
  return <OpenAccountScreen onOpened={(id) => router.replace(`/home/accounts/${encodeURIComponent(id)}`)} />;
}
