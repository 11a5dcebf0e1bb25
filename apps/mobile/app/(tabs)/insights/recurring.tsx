import { RecurringScreen } from '../../../src/screens/insights/recurring-screen';

export default function RecurringRoute() {
  return <RecurringScreen />;
}
