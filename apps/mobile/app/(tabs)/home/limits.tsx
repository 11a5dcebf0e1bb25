import { useRouter } from 'expo-router';
import { LimitsScreen } from '../../../src/screens/accounts/limits-screen';

export default function LimitsRoute() {
  const router = useRouter();
  return <LimitsScreen onOpenKyc={() => router.push('/kyc')} />;
}
