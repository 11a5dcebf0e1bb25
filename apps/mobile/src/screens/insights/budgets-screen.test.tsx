import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { BudgetsScreen } from './budgets-screen';
import { groceriesBudget, healthBudget, travelBudget } from './fixtures';

async function renderBudgets(list: FakeHandler, options: Parameters<typeof renderInApp>[1] = {}) {
  const server = fakeServer({ 'GET /api/v1/budgets': list });
  await renderInApp(<BudgetsScreen />, { api: server.api, ...options });
  return server;
}

const listOf =
  (...data: unknown[]): FakeHandler =>
  () => ({ body: { data } });

describe('budgets', () => {
  it('shows a spinner while they load', async () => {
    await renderBudgets(pending);
    expect(screen.getByRole('progressbar')).toBeTruthy();
  });

  it('shows the API’s detail when they fail, and retries', async () => {
    const server = await renderBudgets(() => problem(503, 'service_unavailable', 'Try again in a minute.'));
    expect(await screen.findByText('Try again in a minute.')).toBeTruthy();
    server.answer('GET /api/v1/budgets', listOf(healthBudget));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('budget-health')).toBeTruthy();
  });

  it('invites the first budget when there is none', async () => {
    await renderBudgets(listOf());
    expect(await screen.findByTestId('budgets-empty')).toHaveTextContent(/No budgets yet/);
    expect(screen.getByTestId('budget-form')).toBeTruthy();
  });

  it('shows each budget’s spending, on track, warned from 80 % and exceeded from 100 %', async () => {
    await renderBudgets(listOf(groceriesBudget, healthBudget, travelBudget));
    expect(await screen.findByTestId('budget-level-health')).toHaveTextContent('On track: 20% spent');
    expect(screen.getByTestId('budget-level-groceries')).toHaveTextContent('Nearly used up: 85% spent');
    expect(screen.getByTestId('budget-level-travel')).toHaveTextContent('Over budget: 130% spent');
    expect(within(screen.getByTestId('budget-groceries')).getByText('€212.40 of €250.00 this month')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Groceries: €212.40 of €250.00. Nearly used up: 85% spent' })).toBeTruthy();
    // An exceeded budget's bar is full, not longer than its track.
    expect(screen.getByTestId('budget-bar-travel').children[0]).toHaveStyle({ width: '100%' });
  });

  it('sets a budget, checking the amount first, and reads the list again', async () => {
    const server = await renderBudgets(listOf());
    await screen.findByTestId('budgets-empty');
    server.answer('PUT /api/v1/budgets/:category', () => ({ body: { ...groceriesBudget, category: 'eating_out' } }));
    await fireEvent.press(screen.getByTestId('budget-category-eating_out'));
    await fireEvent.changeText(screen.getByTestId('budget-amount'), '12.345');
    await fireEvent.press(screen.getByTestId('budget-save'));
    expect(screen.getByText('This currency has 2 decimal places.')).toBeTruthy();
    expect(server.calls('PUT /api/v1/budgets/:category')).toHaveLength(0);

    server.answer('GET /api/v1/budgets', listOf({ ...groceriesBudget, category: 'eating_out' }));
    await fireEvent.changeText(screen.getByTestId('budget-amount'), '250');
    await fireEvent.press(screen.getByTestId('budget-save'));
    expect(await screen.findByTestId('budgets-notice')).toHaveTextContent('Saved: €250.00 a month for Eating out.');
    const [call] = server.calls('PUT /api/v1/budgets/:category');
    expect(call?.params).toEqual({ category: 'eating_out' });
    expect(call?.body).toEqual({ amount: { amount: '250.00', currency: 'EUR' } });
    expect(await screen.findByTestId('budget-eating_out')).toBeTruthy();
  });

  it('starts a replacement from the budget’s amount, and shows the API’s field error', async () => {
    const server = await renderBudgets(listOf(groceriesBudget));
    await screen.findByTestId('budget-groceries');
    await fireEvent.press(screen.getByTestId('budget-category-health'));
    await fireEvent.press(screen.getByTestId('budget-category-groceries'));
    expect(screen.getByTestId('budget-amount').props.value).toBe('250.00');
    server.answer('PUT /api/v1/budgets/:category', () =>
      problem(400, 'amount_too_large', 'Too large.', {
        errors: [{ pointer: '/body/amount/amount', code: 'amount_too_large', detail: 'At most 1,000,000.00.' }],
      }),
    );
    await fireEvent.changeText(screen.getByTestId('budget-amount'), '99999999');
    await fireEvent.press(screen.getByTestId('budget-save'));
    expect(await screen.findByText('At most 1,000,000.00.')).toBeTruthy();
    await waitFor(() => expect(server.calls('GET /api/v1/budgets')).toHaveLength(2));
  });

  it('removes a budget only after asking', async () => {
    const server = await renderBudgets(listOf(groceriesBudget, healthBudget));
    server.answer('DELETE /api/v1/budgets/:category', () => ({ status: 204 }));
    await fireEvent.press(await screen.findByRole('button', { name: 'Remove the Health budget' }));
    await fireEvent.press(screen.getByTestId('confirm-cancel'));
    expect(server.calls('DELETE /api/v1/budgets/:category')).toHaveLength(0);
    await fireEvent.press(screen.getByRole('button', { name: 'Remove the Health budget' }));
    server.answer('GET /api/v1/budgets', listOf(groceriesBudget));
    await fireEvent.press(screen.getByTestId('confirm-accept'));
    expect(await screen.findByTestId('budgets-notice')).toHaveTextContent('The budget for Health is removed.');
    const [call] = server.calls('DELETE /api/v1/budgets/:category');
    expect(call?.params).toEqual({ category: 'health' });
    expect(call?.query.get('currency')).toBe('EUR');
    await waitFor(() => expect(screen.queryByTestId('budget-health')).toBeNull());
  });

  it('speaks German', async () => {
    await renderBudgets(listOf(travelBudget), { settings: { language: 'de' } });
    expect(await screen.findByTestId('budget-level-travel')).toHaveTextContent(/^Budget überschritten: 130\s%/);
    expect(screen.getByRole('button', { name: 'Budget Reisen entfernen' })).toBeTruthy();
  });
});
