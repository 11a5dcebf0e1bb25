import { useRouter } from 'expo-router';
import { InsightsScreen } from '../../../src/screens/insights/insights-screen';

export default function InsightsRoute() {
  const router = useRouter();
  return (
    <InsightsScreen
      onOpenBudgets={() => router.push('/insights/budgets')}
      onOpenBills={() => router.push('/insights/bills')}
      onOpenRecurring={() => router.push('/insights/recurring')}
      onOpenFeed={() => router.push('/insights/feed')}
      onOpenForecast={(id) => router.push(`/insights/forecast/${encodeURIComponent(id)}`)}
    />
  );
}
