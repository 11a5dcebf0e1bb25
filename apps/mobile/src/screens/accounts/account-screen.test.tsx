import { act, fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import type { Account } from '../../queries/accounts';
import { historyPagesMax } from '../../queries/transactions';
import { fakePasskeys, renderInApp } from '../../test-utils';
import { AccountScreen } from './account-screen';
import { account, checkingId, page, transaction } from './fixtures';
import { dayBoundary } from './history-filters';

function setup(
  routes: { account?: FakeHandler; history?: FakeHandler; [route: string]: FakeHandler | undefined } = {},
  options: { online?: boolean; passkeys?: ReturnType<typeof fakePasskeys>; settings?: { language: 'en' | 'de' } } = {},
) {
  const { account: accountRoute, history, ...rest } = routes;
  const server = fakeServer({
    'GET /api/v1/accounts/:id': accountRoute ?? (() => ({ body: account() })),
    'GET /api/v1/transactions': history ?? (() => page([transaction(1), transaction(2, { direction: 'credit' })])),
    ...(rest as Record<string, FakeHandler>),
  });
  const props = { onOpenTransaction: jest.fn(), onNewPayment: jest.fn(), onOpenForecast: jest.fn() };
  const rendered = renderInApp(<AccountScreen accountId={checkingId} {...props} />, { api: server.api, ...options });
  return { server, props, rendered };
}

const historyQueries = (server: ReturnType<typeof fakeServer>) =>
  server.calls('GET /api/v1/transactions').map((call) => Object.fromEntries(call.query));

describe('account: balances and state', () => {
  it('shows a loading state while the account loads', async () => {
    await setup({ account: pending, history: pending }).rendered;
    expect(screen.getByRole('progressbar', { name: 'Loading…' })).toBeTruthy();
  });

  it('shows the API’s detail when the account cannot be read, and retries', async () => {
    const { server, rendered } = setup({
      account: () => problem(404, 'account_not_found', 'No such account among yours.'),
    });
    await rendered;
    expect(await screen.findByText('No such account among yours.')).toBeTruthy();
    server.answer('GET /api/v1/accounts/:id', () => ({ body: account() }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('account-balance')).toHaveTextContent('€1,250.00');
  });

  it('shows balances, status and the history, and opens a transaction, a payment or the forecast', async () => {
    const { props, server, rendered } = setup();
    await rendered;
    expect(await screen.findByTestId('account-balance')).toHaveTextContent('€1,250.00');
    expect(screen.getByTestId('account-available')).toHaveTextContent('€1,220.00');
    expect(screen.getByTestId('account-status')).toHaveTextContent('Open');
    const debit = await screen.findByTestId(`transaction-row-${transaction(1).id}`);
    expect(debit).toHaveTextContent(/Payment 1/);
    expect(debit).toHaveTextContent(/-€45.50/);
    expect(screen.getByTestId(`transaction-row-${transaction(2).id}`)).toHaveTextContent(/\+€45.50/);
    expect(historyQueries(server)[0]).toEqual({ accountId: checkingId, limit: '25' });
    await fireEvent.press(debit);
    expect(props.onOpenTransaction).toHaveBeenCalledWith(transaction(1).id);
    await fireEvent.press(screen.getByTestId('new-payment'));
    expect(props.onNewPayment).toHaveBeenCalledWith(checkingId);
    await fireEvent.press(screen.getByRole('button', { name: 'Balance forecast' }));
    expect(props.onOpenForecast).toHaveBeenCalledWith(checkingId);
  });

  it('says there are no transactions yet', async () => {
    await setup({ history: () => page([]) }).rendered;
    expect(await screen.findByText('No transactions yet.')).toBeTruthy();
  });

  it('shows why the history failed and loads it again', async () => {
    const { server, rendered } = setup({
      history: () => problem(503, 'service_unavailable', 'The history is briefly unavailable.'),
    });
    await rendered;
    expect(await screen.findByText('The history is briefly unavailable.', {}, { timeout: 5000 })).toBeTruthy();
    server.answer('GET /api/v1/transactions', () => page([transaction(1)]));
    await fireEvent.press(screen.getByTestId('history-retry'));
    expect(await screen.findByTestId(`transaction-row-${transaction(1).id}`)).toBeTruthy();
  });

  it('offline, shows the last data and disables every action with the reason', async () => {
    await setup({}, { online: false }).rendered;
    await screen.findByTestId('account-balance');
    expect(screen.getByTestId('data-age')).toBeTruthy();
    for (const id of ['new-payment', 'freeze-account', 'close-account', 'reveal-iban']) {
      expect(screen.getByTestId(id)).toBeDisabled();
      expect(screen.getByTestId(id).props.accessibilityHint).toMatch(/offline/);
    }
  });
});

describe('account: how a movement ended', () => {
  const declined = transaction(3, { status: 'voided', statusReason: 'review_rejected', balanceAfter: null });
  const cancelled = transaction(4, { status: 'voided', balanceAfter: null });
  // A reason a later API adds: this version does not know it and shows the status alone.
  const unknownReason = transaction(5, {
    status: 'voided',
    statusReason: 'authorisation_expired' as unknown as 'review_rejected',
    balanceAfter: null,
  });
  const history = () => page([declined, cancelled, unknownReason]);

  it('says the bank declined a payment after its review, not that it was cancelled, in the row’s name too', async () => {
    await setup({ history }).rendered;
    const row = await screen.findByTestId(`transaction-row-${declined.id}`);
    expect(row).toHaveTextContent(/Declined after the bank's review/);
    expect(row).not.toHaveTextContent(/Cancelled/);
    expect(screen.getByRole('button', { name: /Payment 3.*Declined after the bank's review/ })).toBeTruthy();
    expect(screen.getByTestId(`transaction-row-${cancelled.id}`)).toHaveTextContent(/Cancelled/);
    expect(screen.getByTestId(`transaction-row-${unknownReason.id}`)).toHaveTextContent(/Cancelled/);
    expect(screen.getAllByText(/Declined after the bank's review/)).toHaveLength(1);
  });

  it('says it in German', async () => {
    await setup({ history }, { settings: { language: 'de' } }).rendered;
    const row = await screen.findByTestId(`transaction-row-${declined.id}`);
    expect(row).toHaveTextContent(/Nach Prüfung durch die Bank abgelehnt/);
    expect(screen.getByTestId(`transaction-row-${cancelled.id}`)).toHaveTextContent(/Storniert/);
  });
});

describe('account: history search, filters and paging', () => {
  it('sends the search to the API once typing settles, and says when nothing matches', async () => {
    const { server, rendered } = setup({
      history: (call) => (call.query.get('q') ? page([]) : page([transaction(1)])),
    });
    await rendered;
    await screen.findByTestId(`transaction-row-${transaction(1).id}`);
    const search = screen.getByTestId('history-search');
    for (const text of ['r', 're', 'ren', 'rent']) await fireEvent.changeText(search, text);
    expect(await screen.findByText('Nothing matches your search or filters.')).toBeTruthy();
    expect(historyQueries(server).map((q) => q.q)).toEqual([undefined, 'rent']);
  });

  it('sends the chosen filters as the API’s query parameters', async () => {
    const { server, rendered } = setup();
    await rendered;
    await screen.findByTestId(`transaction-row-${transaction(1).id}`);
    await fireEvent.press(screen.getByTestId('history-filters-toggle'));
    await fireEvent.changeText(screen.getByTestId('filter-from'), '2026-11-01');
    await fireEvent.changeText(screen.getByTestId('filter-to'), '2026-11-30');
    await fireEvent.changeText(screen.getByTestId('filter-min-amount'), '10,5');
    await fireEvent.press(screen.getByTestId('filter-direction-debit'));
    await fireEvent.press(screen.getByTestId('filter-status-pending'));
    await fireEvent.press(screen.getByTestId('history-filters-apply'));
    await waitFor(() => expect(historyQueries(server)).toHaveLength(2));
    expect(historyQueries(server)[1]).toEqual({
      accountId: checkingId,
      limit: '25',
      from: dayBoundary('2026-11-01', false),
      to: dayBoundary('2026-11-30', true),
      minAmount: '10.5',
      direction: 'debit',
      status: 'pending',
    });
    expect(await screen.findByTestId(`transaction-row-${transaction(1).id}`)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Filters (5 on)' })).toBeTruthy();
  });

  it('shows a wrong filter next to its field and asks the API nothing', async () => {
    const { server, rendered } = setup();
    await rendered;
    await screen.findByTestId(`transaction-row-${transaction(1).id}`);
    await fireEvent.press(screen.getByTestId('history-filters-toggle'));
    await fireEvent.changeText(screen.getByTestId('filter-from'), '2026-02-30');
    await fireEvent.changeText(screen.getByTestId('filter-max-amount'), 'ten');
    await fireEvent.press(screen.getByTestId('history-filters-apply'));
    expect(screen.getByLabelText('From (day)').props.accessibilityHint).toBe(
      'Error: Enter a day as YYYY-MM-DD, for example 2026-12-03.',
    );
    expect(screen.getByLabelText('Maximum amount').props.accessibilityHint).toBe(
      'Error: Enter an amount like 10 or 12.50.',
    );
    expect(historyQueries(server)).toHaveLength(1);
  });

  it('asks for the next page with the API’s cursor when the list scrolls to its end', async () => {
    const { server, rendered } = setup({
      history: (call) =>
        call.query.get('cursor') === 'cursor-2' ? page([transaction(3)]) : page([transaction(1)], 'cursor-2'),
    });
    await rendered;
    await screen.findByTestId(`transaction-row-${transaction(1).id}`);
    await fireEvent(screen.getByTestId('history-list'), 'endReached');
    expect(await screen.findByTestId(`transaction-row-${transaction(3).id}`)).toBeTruthy();
    expect(historyQueries(server).map((q) => q.cursor)).toEqual([undefined, 'cursor-2']);
    expect(screen.getByTestId(`transaction-row-${transaction(1).id}`)).toBeTruthy();
    // The last page has no cursor: the end of the list asks for nothing more.
    await fireEvent(screen.getByTestId('history-list'), 'endReached');
    expect(historyQueries(server)).toHaveLength(2);
    expect(screen.queryByTestId('history-more')).toBeNull();
  });
});

describe('account: refresh and limits of the list', () => {
  it('reloads the account and its history when pulled down', async () => {
    const { server, rendered } = setup();
    await rendered;
    await screen.findByTestId(`transaction-row-${transaction(1).id}`);
    server.answer('GET /api/v1/accounts/:id', () => ({
      body: account({ balance: { amount: '99.00', currency: 'EUR' } }),
    }));
    server.answer('GET /api/v1/transactions', () => page([transaction(9)]));
    const refresh = screen.getByTestId('history-list').props.refreshControl.props.onRefresh as () => void;
    await act(async () => refresh());
    expect(await screen.findByTestId(`transaction-row-${transaction(9).id}`)).toBeTruthy();
    expect(screen.getByTestId('account-balance')).toHaveTextContent('€99.00');
    expect(server.calls('GET /api/v1/accounts/:id')).toHaveLength(2);
  });

  it('stops loading older pages at its cap and says how to reach them', async () => {
    let n = 0;
    const { server, rendered } = setup({
      history: () => {
        n += 1;
        return page([transaction(n)], `cursor-${n + 1}`);
      },
    });
    await rendered;
    await screen.findByTestId(`transaction-row-${transaction(1).id}`);
    for (let pages = 1; pages < historyPagesMax; pages += 1) {
      await fireEvent(screen.getByTestId('history-list'), 'endReached');
      await waitFor(() => expect(server.calls('GET /api/v1/transactions')).toHaveLength(pages + 1));
      // The page has arrived once the footer's spinner is gone.
      await waitFor(() => expect(screen.queryByRole('progressbar')).toBeNull());
    }
    expect(await screen.findByText(/Only the latest 1000 transactions are shown here/)).toBeTruthy();
    expect(screen.queryByTestId('history-more')).toBeNull();
    await fireEvent(screen.getByTestId('history-list'), 'endReached');
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(server.calls('GET /api/v1/transactions')).toHaveLength(historyPagesMax);
  });
});

describe('account: actions', () => {
  it('freezes the account and shows it frozen', async () => {
    let current: Account = account();
    const { server, rendered } = setup({
      account: () => ({ body: current }),
      'POST /api/v1/accounts/:id/freeze': () => {
        current = account({ status: 'frozen' });
        return { body: current };
      },
    });
    await rendered;
    await fireEvent.press(await screen.findByTestId('freeze-account'));
    await waitFor(() => expect(screen.getByTestId('account-status')).toHaveTextContent('Frozen'));
    expect(screen.getByTestId('unfreeze-account')).toBeTruthy();
    expect(screen.queryByTestId('new-payment')).toBeNull();
    const [call] = server.calls('POST /api/v1/accounts/:id/freeze');
    expect(call?.params).toEqual({ id: checkingId });
    expect(call?.body).toEqual({});
  });

  it('asks before closing and shows the API’s reason when it refuses', async () => {
    const { server, rendered } = setup({
      'POST /api/v1/accounts/:id/close': () =>
        problem(409, 'account_balance_not_zero', 'Move the 1250.00 EUR out of this account before closing it.'),
    });
    await rendered;
    await fireEvent.press(await screen.findByTestId('close-account'));
    expect(server.calls('POST /api/v1/accounts/:id/close')).toHaveLength(0);
    expect(within(screen.getByTestId('close-confirmation')).getByText('Close this account?')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('close-confirm'));
    expect(await screen.findByTestId('action-problem')).toHaveTextContent(
      'Move the 1250.00 EUR out of this account before closing it.',
    );
    expect(server.calls('POST /api/v1/accounts/:id/close')).toHaveLength(1);
    expect(screen.getByTestId('account-status')).toHaveTextContent('Open');
  });

  it('shows the full IBAN after the customer approves with a passkey', async () => {
    const challenge = {
      challengeId: 'sup_01kfz3s9a8b7c6d5e4f3g2h1j0',
      purpose: 'reveal_account',
      expiresAt: '2026-11-26T09:20:02.417Z',
      publicKey: { challenge: 'q1Vd', rpId: 'bank.test', userVerification: 'required', allowCredentials: [] },
    };
    const assertion = {
      id: 'm2Xk',
      rawId: 'm2Xk',
      type: 'public-key',
      response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' },
      clientExtensionResults: {},
    };
    const passkeys = fakePasskeys([assertion]);
    const { server, rendered } = setup(
      {
        'POST /api/v1/accounts/:id/reveal': (call) =>
          (call.body as { stepUp?: unknown }).stepUp
            ? { body: { id: checkingId, iban: 'DE89370400440532013000' }, headers: { 'cache-control': 'no-store' } }
            : problem(403, 'step_up_required', 'Showing the full account number needs your approval.', {
                stepUp: challenge,
              }),
      },
      { passkeys },
    );
    await rendered;
    expect(await screen.findByTestId('iban-masked')).toHaveTextContent('DE** **** **** **** **30 00');
    await fireEvent.press(screen.getByTestId('reveal-iban'));
    expect(await screen.findByTestId('step-up-sheet')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('step-up-approve'));
    expect(await screen.findByTestId('iban-full')).toHaveTextContent('DE89 3704 0044 0532 0130 00');
    expect(passkeys.asked).toEqual([challenge.publicKey]);
    const calls = server.calls('POST /api/v1/accounts/:id/reveal');
    expect(calls.map((c) => c.body)).toEqual([{}, { stepUp: { challengeId: challenge.challengeId, assertion } }]);
    await fireEvent.press(screen.getByTestId('hide-iban'));
    await waitFor(() => expect(screen.queryByTestId('iban-full')).toBeNull());
    expect(screen.getByTestId('iban-masked')).toBeTruthy();
  });

  it('keeps the IBAN hidden when the approval is cancelled', async () => {
    const { server, rendered } = setup({
      'POST /api/v1/accounts/:id/reveal': () =>
        problem(403, 'step_up_required', 'Approve with a passkey.', {
          stepUp: { challengeId: 'sup_1', purpose: 'reveal_account', expiresAt: '', publicKey: { challenge: 'q' } },
        }),
    });
    await rendered;
    await fireEvent.press(await screen.findByTestId('reveal-iban'));
    await fireEvent.press(await screen.findByTestId('step-up-cancel'));
    expect(await screen.findByText('You cancelled the approval, so the full IBAN stays hidden.')).toBeTruthy();
    expect(screen.queryByTestId('iban-full')).toBeNull();
    expect(server.calls('POST /api/v1/accounts/:id/reveal')).toHaveLength(1);
  });
});
