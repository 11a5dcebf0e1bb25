import { DismissedInsightsScreen } from '../../../src/screens/insights/dismissed-screen';

export default function DismissedRoute() {
  return <DismissedInsightsScreen />;
}
