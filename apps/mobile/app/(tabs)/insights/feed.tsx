import { FeedScreen } from '../../../src/screens/insights/feed-screen';

export default function FeedRoute() {
  return <FeedScreen />;
}
