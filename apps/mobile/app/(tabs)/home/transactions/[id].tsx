import { useLocalSearchParams } from 'expo-router';
import { TransactionScreen } from '../../../../src/screens/accounts/transaction-screen';

export default function TransactionRoute() {
  const { id, accountId } = useLocalSearchParams<{ id: string; accountId: string }>();
  return <TransactionScreen key={`${accountId}/${id}`} accountId={accountId} transactionId={id} />;
}
