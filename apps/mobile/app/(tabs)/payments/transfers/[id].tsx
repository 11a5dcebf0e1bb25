import { useLocalSearchParams, useRouter } from 'expo-router';
import { TransferScreen } from '../../../../src/screens/payments/transfer-screen';

export default function TransferRoute() {
  const router = useRouter();
  const { id } = useLocalSearchParams<{ id: string }>();
  return <TransferScreen id={id} onBack={() => (router.canGoBack() ? router.back() : router.replace('/payments'))} />;
}
