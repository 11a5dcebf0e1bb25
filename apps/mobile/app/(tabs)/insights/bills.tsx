import { useRouter } from 'expo-router';
import { BillsScreen } from '../../../src/screens/insights/bills-screen';

export default function BillsRoute() {
  const router = useRouter();
  return <BillsScreen onOpenRecurring={() => router.push('/insights/recurring')} />;
}
