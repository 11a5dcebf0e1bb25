import { BillsScreen } from '../../../src/screens/insights/bills-screen';

export default function BillsRoute() {
  return <BillsScreen />;
}
