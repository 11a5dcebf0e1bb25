import { useRouter } from 'expo-router';
import { FeedScreen } from '../../../src/screens/insights/feed-screen';

export default function FeedRoute() {
  const router = useRouter();
  return <FeedScreen onOpenDismissed={() => router.push('/insights/dismissed')} />;
}
