import { useRouter } from 'expo-router';
import { AddPayeeScreen } from '../../../../src/screens/payments/add-payee-screen';

export default function AddPayeeRoute() {
  const router = useRouter();
  return <AddPayeeScreen onDone={() => (router.canGoBack() ? router.back() : router.replace('/payments'))} />;
}
