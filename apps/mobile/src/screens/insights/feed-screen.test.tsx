import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { FeedScreen } from './feed-screen';
import { bill, insight } from './fixtures';

const pageOf =
  (...data: unknown[]): FakeHandler =>
  () => ({ body: { data, nextCursor: null } });

async function renderFeed(handler: FakeHandler, language: 'en' | 'de' = 'en', onOpenDismissed = jest.fn()) {
  const server = fakeServer({ 'GET /api/v1/insights': handler });
  await renderInApp(<FeedScreen onOpenDismissed={onOpenDismissed} />, { api: server.api, settings: { language } });
  return server;
}

describe('insight feed', () => {
  it('shows a spinner while it loads', async () => {
    await renderFeed(pending);
    expect(screen.getByRole('progressbar')).toBeTruthy();
  });

  it('shows the API’s detail when it fails, and retries', async () => {
    const server = await renderFeed(() => problem(500, 'internal', 'Our fault.'));
    expect(await screen.findByText('Our fault.')).toBeTruthy();
    server.answer('GET /api/v1/insights', pageOf(insight(1)));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId(`insight-${insight(1).id}`)).toBeTruthy();
  });

  it('says so when there is nothing new, and still leads to the dismissed ones', async () => {
    const onOpenDismissed = jest.fn();
    await renderFeed(pageOf(), 'en', onOpenDismissed);
    expect(await screen.findByText(/Nothing new/)).toBeTruthy();
    await fireEvent.press(screen.getByRole('button', { name: 'Dismissed insights' }));
    expect(onOpenDismissed).toHaveBeenCalledTimes(1);
  });

  it('asks for the open insights only, and leads to the dismissed ones below them', async () => {
    const onOpenDismissed = jest.fn();
    const server = await renderFeed(pageOf(insight(1)), 'en', onOpenDismissed);
    await screen.findByTestId(`insight-${insight(1).id}`);
    expect(server.calls('GET /api/v1/insights')[0]?.query.has('dismissed')).toBe(false);
    expect(screen.queryByTestId('feed-empty')).toBeNull();
    await fireEvent.press(screen.getByTestId('open-dismissed'));
    expect(onOpenDismissed).toHaveBeenCalledTimes(1);
  });

  it('shows each insight in the app’s words, with amounts and days in the locale', async () => {
    const server = await renderFeed(pageOf(insight(1), bill));
    expect(await screen.findByTestId(`insight-message-${insight(1).id}`)).toHaveTextContent(
      'You have spent €212.40 of your €250.00 Groceries budget this month (84 %).',
    );
    expect(screen.getByTestId(`insight-message-${bill.id}`)).toHaveTextContent(
      'StreamFlix will take €9.99 from your account on 3 Jan 2027.',
    );
    expect(server.calls('GET /api/v1/insights')[0]?.query.get('limit')).toBe('50');
  });

  it('shows the API’s English message for a key this app does not know', async () => {
    const newer = insight(3, { messageKey: 'insights.carbon_footprint', message: 'Your footprint fell.' });
    await renderFeed(pageOf(newer));
    expect(await screen.findByTestId(`insight-message-${newer.id}`)).toHaveTextContent('Your footprint fell.');
  });

  it('dismisses an insight: it leaves the feed at once', async () => {
    const server = await renderFeed(pageOf(insight(1), bill));
    const dismiss = await screen.findByTestId(`insight-dismiss-${bill.id}`);
    server.answer('POST /api/v1/insights/:id/dismiss', () => ({
      body: { ...bill, dismissedAt: '2026-12-04T22:00:00.000Z' },
    }));
    server.answer('GET /api/v1/insights', pageOf(insight(1)));
    await fireEvent.press(dismiss);
    await waitFor(() => expect(screen.queryByTestId(`insight-${bill.id}`)).toBeNull());
    // Gone before the API answered; then the feed is read again.
    await waitFor(() => expect(server.calls('GET /api/v1/insights')).toHaveLength(2));
    expect(server.calls('POST /api/v1/insights/:id/dismiss')[0]?.params).toEqual({ id: bill.id });
    expect(screen.getByTestId(`insight-${insight(1).id}`)).toBeTruthy();
  });

  it('brings a dismissed insight back and says so when the API refuses', async () => {
    const server = await renderFeed(pageOf(bill));
    server.answer('POST /api/v1/insights/:id/dismiss', () => problem(500, 'internal', 'Our fault.'));
    await fireEvent.press(await screen.findByTestId(`insight-dismiss-${bill.id}`));
    expect(await screen.findByTestId('feed-problem')).toHaveTextContent(/^The insight could not be dismissed\./);
    expect(await screen.findByTestId(`insight-${bill.id}`)).toBeTruthy();
    await waitFor(() => expect(server.calls('GET /api/v1/insights')).toHaveLength(2));
  });

  it('speaks German', async () => {
    await renderFeed(pageOf(insight(1)), 'de');
    expect(await screen.findByTestId(`insight-message-${insight(1).id}`)).toHaveTextContent(
      /^Sie haben in diesem Monat 212,40\s€ Ihres Budgets von 250,00\s€ für Lebensmittel ausgegeben \(84 %\)\.$/,
    );
    expect(screen.getByRole('button', { name: 'Ausblenden' })).toBeTruthy();
  });
});
