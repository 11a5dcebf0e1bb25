import { BudgetsScreen } from '../../../src/screens/insights/budgets-screen';

export default function BudgetsRoute() {
  return <BudgetsScreen />;
}
