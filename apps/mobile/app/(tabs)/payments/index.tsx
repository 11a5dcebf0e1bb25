import { useRouter } from 'expo-router';
import { PaymentsHomeScreen } from '../../../src/screens/payments/payments-home-screen';

export default function PaymentsRoute() {
  const router = useRouter();
  return (
    <PaymentsHomeScreen
      onNewPayment={() => router.push('/payments/new')}
      onAddPayee={() => router.push('/payments/payees/new')}
    />
  );
}
