import { act, fireEvent, screen } from '@testing-library/react-native';
import { fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { account, checkingId, savingsId } from './fixtures';
import { HomeScreen } from './home-screen';

const accounts = [
  account(),
  account({
    id: savingsId,
    type: 'savings',
    name: 'Rainy day',
    status: 'frozen',
    maskedIban: 'DE** **** **** **** **31 11',
    balance: { amount: '90.00', currency: 'EUR' },
    availableBalance: { amount: '90.00', currency: 'EUR' },
  }),
];

function renderHome(
  server = fakeServer({ 'GET /api/v1/accounts': () => ({ body: { data: accounts, nextCursor: null } }) }),
  online = true,
) {
  const props = { onOpenAccount: jest.fn(), onOpenLimits: jest.fn(), onOpenNewAccount: jest.fn() };
  return { props, server, rendered: renderInApp(<HomeScreen {...props} />, { api: server.api, online }) };
}

describe('home: accounts', () => {
  it('shows a loading state while the accounts load', async () => {
    const { rendered } = renderHome(fakeServer({ 'GET /api/v1/accounts': pending }));
    await rendered;
    expect(screen.getByRole('progressbar', { name: 'Loading…' })).toBeTruthy();
  });

  it('lists every account with its masked IBAN, balances and status, frozen ones marked', async () => {
    const { rendered, props } = renderHome();
    await rendered;
    const row = await screen.findByTestId(`account-row-${checkingId}`);
    expect(row).toHaveTextContent(/Checking/);
    expect(row).toHaveTextContent(/DE\*\* \*\*\*\* \*\*\*\* \*\*\*\* \*\*30 00/);
    expect(screen.getByTestId(`account-balance-${checkingId}`)).toHaveTextContent('€1,250.00');
    expect(screen.getByTestId(`account-available-${checkingId}`)).toHaveTextContent('€1,220.00');
    expect(screen.getByTestId(`account-status-${savingsId}`)).toHaveTextContent('Frozen');
    // The row is named by what it shows, in its order (WCAG 2.5.3: the visible words are in the name).
    expect(
      screen.getByRole('button', {
        name: 'Rainy day Frozen Savings account · DE** **** **** **** **31 11 Balance €90.00 Available €90.00',
      }),
    ).toBeTruthy();
    await fireEvent.press(screen.getByTestId(`account-row-${savingsId}`));
    expect(props.onOpenAccount).toHaveBeenCalledWith(savingsId);
    await fireEvent.press(screen.getByTestId('limits-link'));
    await fireEvent.press(screen.getByTestId('open-account'));
    expect(props.onOpenLimits).toHaveBeenCalledTimes(1);
    expect(props.onOpenNewAccount).toHaveBeenCalledTimes(1);
  });

  it('says so when there is no account yet, and still offers to open one', async () => {
    const { rendered } = renderHome(
      fakeServer({ 'GET /api/v1/accounts': () => ({ body: { data: [], nextCursor: null } }) }),
    );
    await rendered;
    expect(await screen.findByText('You have no accounts yet. Open one to get started.')).toBeTruthy();
    expect(screen.getByTestId('open-account')).toBeTruthy();
  });

  it('shows the API’s detail on failure and loads again on retry', async () => {
    const server = fakeServer({
      'GET /api/v1/accounts': () => problem(429, 'rate_limited', 'Too many requests: wait a moment.'),
    });
    const { rendered } = renderHome(server);
    await rendered;
    expect(await screen.findByText('Too many requests: wait a moment.')).toBeTruthy();
    server.answer('GET /api/v1/accounts', () => ({ body: { data: accounts, nextCursor: null } }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId(`account-row-${checkingId}`)).toBeTruthy();
  });

  it('reloads the accounts when pulled down', async () => {
    const { rendered, server } = renderHome();
    await rendered;
    await screen.findByTestId(`account-row-${checkingId}`);
    server.answer('GET /api/v1/accounts', () => ({
      body: { data: [account({ balance: { amount: '1300.00', currency: 'EUR' } })], nextCursor: null },
    }));
    const refresh = screen.getByTestId('home-screen').props.refreshControl.props.onRefresh as () => void;
    await act(async () => refresh());
    expect(await screen.findByText('€1,300.00')).toBeTruthy();
    expect(server.calls('GET /api/v1/accounts')).toHaveLength(2);
  });

  it('offline, keeps the last list and says how old it is', async () => {
    const { rendered } = renderHome(undefined, false);
    await rendered;
    expect(await screen.findByTestId(`account-row-${checkingId}`)).toBeTruthy();
    expect(screen.getByTestId('data-age')).toHaveTextContent(/Last updated/);
  });
});
