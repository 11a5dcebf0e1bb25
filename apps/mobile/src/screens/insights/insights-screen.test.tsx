import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { account, plain } from '../accounts/fixtures';
import { december, emptyMonth, insight, november } from './fixtures';
import { InsightsScreen } from './insights-screen';

const now = new Date('2026-12-04T12:00:00Z');

async function renderInsights(spending: FakeHandler, options: Parameters<typeof renderInApp>[1] = {}) {
  const server = fakeServer({
    'GET /api/v1/spending': spending,
    'GET /api/v1/insights': () => ({ body: { data: [insight(1)], nextCursor: null } }),
    'GET /api/v1/accounts': () => ({ body: { data: [account()], nextCursor: null } }),
  });
  const handlers = {
    onOpenBudgets: jest.fn(),
    onOpenBills: jest.fn(),
    onOpenRecurring: jest.fn(),
    onOpenFeed: jest.fn(),
    onOpenForecast: jest.fn(),
  };
  await renderInApp(<InsightsScreen {...handlers} now={now} />, { api: server.api, ...options });
  return { server, ...handlers };
}

/** The feed's count and the accounts' forecast links have loaded: nothing updates after the test. */
async function linksLoaded() {
  await screen.findByRole('button', { name: 'For you (1 new)' });
  await screen.findByRole('button', { name: 'Balance forecast: Checking' });
}

const byMonth: FakeHandler = (call) => ({
  body: call.query.get('month') === '2026-11' ? november : december,
});

describe('insights: spending by category', () => {
  it('shows a spinner while the month loads', async () => {
    await renderInsights(pending);
    expect(screen.getByRole('progressbar')).toBeTruthy();
  });

  it('shows the API’s detail when spending fails, and retries', async () => {
    const { server } = await renderInsights(() => problem(500, 'internal', 'Our fault: try again.'));
    expect(await screen.findByText('Our fault: try again.')).toBeTruthy();
    server.answer('GET /api/v1/spending', () => ({ body: december }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('spending-chart')).toBeTruthy();
    await linksLoaded();
  });

  it('says so for a month without spending', async () => {
    await renderInsights(() => ({ body: emptyMonth }));
    expect(await screen.findByTestId('spending-empty')).toHaveTextContent('No spending in December 2026.');
    expect(screen.queryByTestId('spending-chart')).toBeNull();
    await linksLoaded();
  });

  it('draws a bar per category, each named with its category, amount, share and trend', async () => {
    const { server } = await renderInsights(() => ({ body: december }));
    expect(await screen.findByTestId('spending-total')).toHaveTextContent('€300.00');
    expect(Object.fromEntries(server.calls('GET /api/v1/spending')[0]?.query ?? [])).toEqual({
      month: '2026-12',
      currency: 'EUR',
    });
    expect(screen.getByTestId('spending-month')).toHaveTextContent('Spent in December 2026');
    const groceries = screen.getByTestId('spending-bar-groceries');
    expect(groceries.props.accessibilityLabel).toBe(
      'Groceries: €200.00, 67% of the month, more than the month before (€150.00)',
    );
    expect(
      screen.getByRole('img', { name: /^Subscriptions: €100\.00, 33% of the month, about the same/ }),
    ).toBeTruthy();
    // The largest category fills the track; the others are their part of it.
    expect(groceries.children[0]).toHaveStyle({ width: '100%' });
    expect(screen.getByTestId('spending-bar-subscriptions').children[0]).toHaveStyle({ width: '50%' });
    await linksLoaded();
  });

  it('shows the six-month trend and another month when one is pressed, or stepped to', async () => {
    const { server } = await renderInsights(byMonth);
    expect(await screen.findByTestId('spending-trend')).toBeTruthy();
    for (const month of ['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']) {
      expect(screen.getByTestId(`spending-trend-${month}`)).toBeTruthy();
    }
    expect(screen.getByRole('button', { name: 'December 2026: €300.00, shown above' })).toBeTruthy();
    // This month is the latest: there is no next one yet.
    expect(screen.getByTestId('spending-next')).toBeDisabled();
    await fireEvent.press(screen.getByRole('button', { name: 'November 2026: €250.00' }));
    expect(await screen.findByTestId('spending-bar-eating_out')).toBeTruthy();
    expect(screen.getByTestId('spending-month')).toHaveTextContent('Spent in November 2026');
    await fireEvent.press(screen.getByTestId('spending-next'));
    expect(await screen.findByTestId('spending-bar-groceries')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('spending-previous'));
    await screen.findByTestId('spending-bar-eating_out');
    const asked = new Set(server.calls('GET /api/v1/spending').map((c) => c.query.get('month')));
    expect([...asked]).toEqual(['2026-12', '2026-11']);
    await linksLoaded();
  });

  it('leads to the feed (with its count), budgets, bills, regular payments and each account’s forecast', async () => {
    const { onOpenBudgets, onOpenBills, onOpenRecurring, onOpenFeed, onOpenForecast } = await renderInsights(() => ({
      body: december,
    }));
    await fireEvent.press(await screen.findByRole('button', { name: 'For you (1 new)' }));
    expect(onOpenFeed).toHaveBeenCalled();
    await fireEvent.press(screen.getByRole('button', { name: 'Budgets' }));
    expect(onOpenBudgets).toHaveBeenCalled();
    await fireEvent.press(screen.getByRole('button', { name: 'Upcoming bills' }));
    expect(onOpenBills).toHaveBeenCalled();
    expect(onOpenRecurring).not.toHaveBeenCalled();
    await fireEvent.press(screen.getByRole('button', { name: 'Regular payments' }));
    expect(onOpenRecurring).toHaveBeenCalledTimes(1);
    await fireEvent.press(await screen.findByRole('button', { name: 'Balance forecast: Checking' }));
    expect(onOpenForecast).toHaveBeenCalledWith(account().id);
  });

  it('speaks German', async () => {
    await renderInsights(() => ({ body: december }), { settings: { language: 'de' } });
    expect(await screen.findByRole('heading', { name: 'Einblicke' })).toBeTruthy();
    expect(await screen.findByTestId('spending-month')).toHaveTextContent('Ausgegeben im Dezember 2026');
    await waitFor(() =>
      expect(plain(screen.getByTestId('spending-bar-groceries').props.accessibilityLabel)).toBe(
        'Lebensmittel: 200,00 €, 67 % des Monats, mehr als im Vormonat (150,00 €)',
      ),
    );
    await screen.findByRole('button', { name: 'Für Sie (1 neu)' });
    expect(screen.getByRole('button', { name: 'Regelmäßige Zahlungen' })).toBeTruthy();
    await screen.findByRole('button', { name: 'Kontostandsprognose: Checking' });
  });
});
