import { useLocalSearchParams, useRouter } from 'expo-router';
import { AccountScreen } from '../../../../src/screens/accounts/account-screen';

export default function AccountRoute() {
  const { id } = useLocalSearchParams<{ id: string }>();
  const router = useRouter();
  return (
    <AccountScreen
      key={id}
      accountId={id}
      onOpenTransaction={(transactionId) =>
        router.push(`/home/transactions/${encodeURIComponent(transactionId)}?accountId=${encodeURIComponent(id)}`)
      }
      onNewPayment={(accountId) => router.push(`/payments/new?fromAccountId=${encodeURIComponent(accountId)}`)}
      onOpenForecast={(accountId) => router.push(`/insights/forecast/${encodeURIComponent(accountId)}`)}
    />
  );
}
