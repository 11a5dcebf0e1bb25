import { fireEvent, screen } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { plain } from '../accounts/fixtures';
import { BillsScreen } from './bills-screen';
import { bills } from './fixtures';

async function renderBills(handler: FakeHandler, language: 'en' | 'de' = 'en', onOpenRecurring = jest.fn()) {
  const server = fakeServer({ 'GET /api/v1/upcoming-bills': handler });
  await renderInApp(<BillsScreen onOpenRecurring={onOpenRecurring} />, { api: server.api, settings: { language } });
  return server;
}

describe('upcoming bills', () => {
  it('shows a spinner while they load', async () => {
    await renderBills(pending);
    expect(screen.getByRole('progressbar')).toBeTruthy();
  });

  it('shows the API’s detail when they fail, and retries', async () => {
    const server = await renderBills(() => problem(500, 'internal', 'Our fault.'));
    expect(await screen.findByText('Our fault.')).toBeTruthy();
    server.answer('GET /api/v1/upcoming-bills', () => ({ body: { data: bills } }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('bill-0')).toBeTruthy();
  });

  it('says so when nothing is expected, and still leads to all regular payments', async () => {
    const onOpenRecurring = jest.fn();
    await renderBills(() => ({ body: { data: [] } }), 'en', onOpenRecurring);
    expect(await screen.findByText('No regular payments are expected in the next 30 days.')).toBeTruthy();
    expect(screen.queryByTestId('bills-total-EUR')).toBeNull();
    await fireEvent.press(screen.getByRole('button', { name: 'All regular payments' }));
    expect(onOpenRecurring).toHaveBeenCalledTimes(1);
  });

  it('leads to all regular payments below the bills', async () => {
    const onOpenRecurring = jest.fn();
    await renderBills(() => ({ body: { data: bills } }), 'en', onOpenRecurring);
    await screen.findByTestId('bill-1');
    expect(screen.queryByTestId('bills-empty')).toBeNull();
    await fireEvent.press(screen.getByRole('button', { name: 'All regular payments' }));
    expect(onOpenRecurring).toHaveBeenCalledTimes(1);
  });

  it('lists the next 30 days’ bills by date, with their total', async () => {
    const server = await renderBills(() => ({ body: { data: bills } }));
    expect(await screen.findByTestId('bills-total-EUR')).toHaveTextContent('Expected in the next 30 days: €69.99');
    expect(server.calls('GET /api/v1/upcoming-bills')[0]?.query.get('days')).toBe('30');
    expect(screen.getByTestId('bill-0').props.accessibilityLabel).toBe('3 Jan 2027: StreamFlix, €9.99, Subscriptions');
    expect(screen.getByTestId('bill-1').props.accessibilityLabel).toBe(
      '5 Jan 2027: City Power, €60.00, Bills and utilities',
    );
  });

  it('speaks German', async () => {
    await renderBills(() => ({ body: { data: bills } }), 'de');
    expect(plain((await screen.findByTestId('bill-0')).props.accessibilityLabel)).toBe(
      '03.01.2027: StreamFlix, 9,99 €, Abos',
    );
  });
});
