import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { DismissedInsightsScreen } from './dismissed-screen';
import { FeedScreen } from './feed-screen';
import { bill, dismissedBill, insight } from './fixtures';

const older = insight(5, { createdAt: '2026-10-02T21:00:03.120Z', dismissedAt: '2026-10-03T09:00:00.000Z' });

const pageOf =
  (nextCursor: string | null, ...data: unknown[]): FakeHandler =>
  () => ({ body: { data, nextCursor } });

async function renderDismissed(handler: FakeHandler, language: 'en' | 'de' = 'en') {
  const server = fakeServer({ 'GET /api/v1/insights': handler });
  await renderInApp(<DismissedInsightsScreen />, { api: server.api, settings: { language } });
  return server;
}

describe('dismissed insights', () => {
  it('shows a spinner while they load', async () => {
    await renderDismissed(pending);
    expect(screen.getByRole('progressbar')).toBeTruthy();
  });

  it('shows the API’s detail when they fail, and retries', async () => {
    const server = await renderDismissed(() => problem(500, 'internal', 'Our fault.'));
    expect(await screen.findByText('Our fault.')).toBeTruthy();
    server.answer('GET /api/v1/insights', pageOf(null, dismissedBill));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId(`insight-${dismissedBill.id}`)).toBeTruthy();
  });

  it('says so when none were dismissed', async () => {
    await renderDismissed(pageOf(null));
    expect(await screen.findByText('You have not dismissed any insights.')).toBeTruthy();
  });

  it('asks the API for the dismissed ones and shows when each was dismissed, without a Dismiss button', async () => {
    const server = await renderDismissed(pageOf(null, dismissedBill));
    expect(await screen.findByTestId(`insight-message-${dismissedBill.id}`)).toHaveTextContent(
      'StreamFlix will take €9.99 from your account on 3 Jan 2027.',
    );
    expect(screen.getByTestId(`insight-dismissed-${dismissedBill.id}`)).toHaveTextContent('Dismissed on 30 Nov 2026');
    expect(screen.queryByRole('button', { name: 'Dismiss' })).toBeNull();
    expect(screen.queryByTestId('dismissed-more')).toBeNull();
    const query = server.calls('GET /api/v1/insights')[0]?.query;
    expect(query?.get('dismissed')).toBe('true');
    expect(query?.get('limit')).toBe('50');
  });

  it('loads older ones on request, with the cursor of the page before', async () => {
    const server = await renderDismissed(pageOf('cursor-2', dismissedBill));
    server.answer('GET /api/v1/insights', pageOf(null, older));
    await fireEvent.press(await screen.findByRole('button', { name: 'Show older insights' }));
    expect(await screen.findByTestId(`insight-${older.id}`)).toBeTruthy();
    expect(screen.getByTestId(`insight-${dismissedBill.id}`)).toBeTruthy();
    const second = server.calls('GET /api/v1/insights')[1]?.query;
    expect(second?.get('cursor')).toBe('cursor-2');
    expect(second?.get('dismissed')).toBe('true');
    expect(screen.queryByTestId('dismissed-more')).toBeNull();
  });

  it('keeps what it has and offers a retry when an older page fails', async () => {
    const server = await renderDismissed(pageOf('cursor-2', dismissedBill));
    server.answer('GET /api/v1/insights', () => problem(503, 'unavailable', 'Try again in a minute.'));
    await fireEvent.press(await screen.findByTestId('dismissed-more'));
    expect(await screen.findByTestId('dismissed-older-error')).toHaveTextContent(/Try again in a minute\./);
    expect(screen.getByTestId(`insight-${dismissedBill.id}`)).toBeTruthy();
    server.answer('GET /api/v1/insights', pageOf(null, older));
    await fireEvent.press(screen.getByTestId('dismissed-retry'));
    expect(await screen.findByTestId(`insight-${older.id}`)).toBeTruthy();
  });

  it('reads the dismissed ones again after an insight is dismissed from the feed', async () => {
    let dismissedList: unknown[] = [dismissedBill];
    let open: unknown[] = [bill];
    const server = fakeServer({
      'GET /api/v1/insights': (call) => ({
        body: { data: call.query.get('dismissed') === 'true' ? dismissedList : open, nextCursor: null },
      }),
      'POST /api/v1/insights/:id/dismiss': () => {
        const done = { ...bill, dismissedAt: '2026-12-04T22:00:00.000Z' };
        dismissedList = [done, dismissedBill];
        open = [];
        return { body: done };
      },
    });
    await renderInApp(
      <>
        <FeedScreen onOpenDismissed={() => {}} />
        <DismissedInsightsScreen />
      </>,
      { api: server.api },
    );
    await screen.findByTestId(`insight-dismissed-${dismissedBill.id}`);
    await fireEvent.press(await screen.findByTestId(`insight-dismiss-${bill.id}`));
    expect(await screen.findByTestId(`insight-dismissed-${bill.id}`)).toHaveTextContent('Dismissed on 4 Dec 2026');
    await waitFor(() =>
      expect(server.calls('GET /api/v1/insights').filter((c) => c.query.get('dismissed') === 'true')).toHaveLength(2),
    );
  });

  it('speaks German', async () => {
    await renderDismissed(pageOf(null, dismissedBill), 'de');
    expect(await screen.findByRole('heading', { name: 'Ausgeblendete Hinweise' })).toBeTruthy();
    expect(await screen.findByTestId(`insight-dismissed-${dismissedBill.id}`)).toHaveTextContent(
      'Ausgeblendet am 30.11.2026',
    );
  });
});
