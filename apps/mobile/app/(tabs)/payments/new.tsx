import { useLocalSearchParams, useRouter } from 'expo-router';
import { NewPaymentScreen } from '../../../src/screens/payments/new-payment-screen';

export default function NewPaymentRoute() {
  const router = useRouter();
  const { fromAccountId } = useLocalSearchParams<{ fromAccountId?: string }>();
  return (
    <NewPaymentScreen
      fromAccountId={fromAccountId}
      onDone={() => router.replace('/payments')}
      onOpenTransfer={(id) => router.replace({ pathname: '/payments/transfers/[id]', params: { id } })}
    />
  );
}
