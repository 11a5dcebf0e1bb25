import { useLocalSearchParams } from 'expo-router';
import { ForecastScreen } from '../../../../src/screens/insights/forecast-screen';

export default function ForecastRoute() {
  const { id } = useLocalSearchParams<{ id: string }>();
  return <ForecastScreen accountId={id} />;
}
