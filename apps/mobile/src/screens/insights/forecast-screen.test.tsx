import { fireEvent, screen } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { account, plain } from '../accounts/fixtures';
import { forecast, steadyForecast } from './fixtures';
import { ForecastScreen } from './forecast-screen';

/** The account (for its name) answers only where a test looks for it: no update lands after a test. */
async function renderForecast(
  handler: FakeHandler,
  language: 'en' | 'de' = 'en',
  accountAnswer: FakeHandler = pending,
) {
  const server = fakeServer({
    'GET /api/v1/accounts/:id/forecast': handler,
    'GET /api/v1/accounts/:id': accountAnswer,
  });
  await renderInApp(<ForecastScreen accountId={account().id} />, { api: server.api, settings: { language } });
  return server;
}

describe('balance forecast', () => {
  it('shows a spinner while it loads', async () => {
    await renderForecast(pending);
    expect(screen.getByRole('progressbar')).toBeTruthy();
  });

  it('shows the API’s detail for an account that is not the customer’s, and retries', async () => {
    const server = await renderForecast(() => problem(404, 'account_not_found', 'No such account among yours.'));
    expect(await screen.findByText('No such account among yours.')).toBeTruthy();
    server.answer('GET /api/v1/accounts/:id/forecast', () => ({ body: steadyForecast }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('forecast-chart')).toBeTruthy();
  });

  it('says so when there is nothing to forecast', async () => {
    await renderForecast(() => ({ body: { ...forecast, days: [] } }));
    expect(await screen.findByText('There is nothing to forecast for this account yet.')).toBeTruthy();
  });

  it('draws 30 days, names each, and warns of the first day below zero', async () => {
    const server = await renderForecast(
      () => ({ body: forecast }),
      'en',
      () => ({ body: account() }),
    );
    expect(await screen.findByTestId('forecast-below-zero')).toHaveTextContent(
      'Your balance may fall below zero on 15 Dec 2026. Consider moving money in before then.',
    );
    expect(server.calls('GET /api/v1/accounts/:id/forecast')[0]?.params).toEqual({ id: account().id });
    expect(screen.getAllByRole('img')).toHaveLength(30);
    expect(screen.getByRole('img', { name: '5 Dec 2026: €450.00' })).toBeTruthy();
    expect(screen.getByRole('img', { name: /^3 Jan 2027: [-−]€1,000\.00$/ })).toBeTruthy();
    expect(screen.getByTestId('forecast-lowest')).toHaveTextContent(/^Lowest: [-−]€1,000\.00 on 3 Jan 2027$/);
    expect(await screen.findByTestId('forecast-account')).toHaveTextContent(`Checking (${account().maskedIban})`);
  });

  it('raises no warning for a balance that stays above zero, in German', async () => {
    await renderForecast(() => ({ body: steadyForecast }), 'de');
    expect(plain((await screen.findByTestId('forecast-end')).props.children)).toBe('Am 03.01.2027: 688,06 €');
    expect(screen.queryByTestId('forecast-below-zero')).toBeNull();
  });
});
