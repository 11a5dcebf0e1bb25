import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { fakeServer, pending, problem } from '../../fake-server';
import { useTransactionHistory } from '../../queries/transactions';
import { renderInApp } from '../../test-utils';
import { checkingId, page, transaction } from './fixtures';
import { TransactionScreen } from './transaction-screen';

const wanted = transaction(7, {
  direction: 'credit',
  amount: { amount: '100.00', currency: 'EUR' },
  balanceAfter: { amount: '1350.00', currency: 'EUR' },
  description: 'Rent share',
  counterparty: { name: 'J*** D**', maskedIban: 'DE** **** **** **** **11 22' },
});

/** The account screen's history is loaded first, as when the customer taps a row. */
function AfterHistory() {
  const history = useTransactionHistory(checkingId, {});
  return history.data ? <TransactionScreen accountId={checkingId} transactionId={wanted.id} /> : null;
}

const lookups = (server: ReturnType<typeof fakeServer>) =>
  server.calls('GET /api/v1/transactions').map((call) => Object.fromEntries(call.query));

describe('transaction detail', () => {
  it('reads the transaction from the loaded history without asking the API again', async () => {
    const server = fakeServer({ 'GET /api/v1/transactions': () => page([transaction(1), wanted]) });
    await renderInApp(<AfterHistory />, { api: server.api });
    expect(await screen.findByTestId('transaction-amount')).toHaveTextContent('+€100.00');
    // The heading and the reference.
    expect(screen.getAllByText('Rent share')).toHaveLength(2);
    expect(screen.getByText('Money in')).toBeTruthy();
    expect(screen.getByText('Booked')).toBeTruthy();
    expect(screen.getByText('J*** D** · DE** **** **** **** **11 22')).toBeTruthy();
    expect(screen.getByTestId('transaction-balance-after')).toHaveTextContent('€1,350.00');
    expect(screen.getAllByText(/26 Nov 2026/)).toHaveLength(2);
    expect(lookups(server)).toEqual([{ accountId: checkingId, limit: '25' }]);
  });

  it('pages through the account’s history to find a transaction that is not cached', async () => {
    const server = fakeServer({
      'GET /api/v1/transactions': (call) =>
        call.query.get('cursor') === 'cursor-2' ? page([wanted]) : page([transaction(1)], 'cursor-2'),
    });
    await renderInApp(<TransactionScreen accountId={checkingId} transactionId={wanted.id} />, { api: server.api });
    expect(await screen.findByTestId('transaction-amount')).toHaveTextContent('+€100.00');
    expect(lookups(server)).toEqual([
      { accountId: checkingId, limit: '100' },
      { accountId: checkingId, limit: '100', cursor: 'cursor-2' },
    ]);
  });

  it('says so when the account’s history does not hold it', async () => {
    const server = fakeServer({ 'GET /api/v1/transactions': () => page([transaction(1)]) });
    await renderInApp(<TransactionScreen accountId={checkingId} transactionId={wanted.id} />, { api: server.api });
    expect(await screen.findByText("This transaction was not found in the account's history.")).toBeTruthy();
  });

  it('shows a loading state while it looks', async () => {
    const server = fakeServer({ 'GET /api/v1/transactions': pending });
    await renderInApp(<TransactionScreen accountId={checkingId} transactionId={wanted.id} />, { api: server.api });
    expect(screen.getByRole('progressbar', { name: 'Loading…' })).toBeTruthy();
  });

  it('shows the API’s detail when the history cannot be read, and retries', async () => {
    const server = fakeServer({
      'GET /api/v1/transactions': () => problem(404, 'account_not_found', 'No such account among yours.'),
    });
    await renderInApp(<TransactionScreen accountId={checkingId} transactionId={wanted.id} />, { api: server.api });
    expect(await screen.findByText('No such account among yours.')).toBeTruthy();
    server.answer('GET /api/v1/transactions', () => page([wanted]));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('transaction-amount')).toBeTruthy();
  });
});

describe('transaction detail: how it ended', () => {
  const declined = transaction(9, {
    status: 'voided',
    statusReason: 'review_rejected',
    balanceAfter: null,
    postedAt: null,
  });

  async function renderDeclined(language: 'en' | 'de' = 'en') {
    const server = fakeServer({ 'GET /api/v1/transactions': () => page([declined]) });
    await renderInApp(<TransactionScreen accountId={checkingId} transactionId={declined.id} />, {
      api: server.api,
      settings: { language },
    });
    await screen.findByTestId('transaction-amount');
  }

  it('says the bank declined the payment after its review instead of "Cancelled"', async () => {
    await renderDeclined();
    expect(screen.getByText("Declined after the bank's review")).toBeTruthy();
    expect(screen.queryByText('Cancelled')).toBeNull();
  });

  it('says it in German', async () => {
    await renderDeclined('de');
    expect(screen.getByText('Nach Prüfung durch die Bank abgelehnt')).toBeTruthy();
    expect(screen.queryByText('Storniert')).toBeNull();
  });

  it('shows a voided payment without a reason as cancelled', async () => {
    const server = fakeServer({ 'GET /api/v1/transactions': () => page([{ ...declined, statusReason: null }]) });
    await renderInApp(<TransactionScreen accountId={checkingId} transactionId={declined.id} />, { api: server.api });
    expect(await screen.findByText('Cancelled')).toBeTruthy();
  });
});

describe('transaction detail: correcting the category', () => {
  const shop = transaction(8, { description: 'FreshMart 0412', category: 'shopping' });

  async function renderShop(language: 'en' | 'de' = 'en') {
    const server = fakeServer({ 'GET /api/v1/transactions': () => page([shop]) });
    await renderInApp(<TransactionScreen accountId={checkingId} transactionId={shop.id} />, {
      api: server.api,
      settings: { language },
    });
    await screen.findByTestId('transaction-category');
    return server;
  }

  it('shows the category in words and corrects it for the merchant from now on', async () => {
    const server = await renderShop();
    expect(screen.getByTestId('transaction-category-name')).toHaveTextContent('Shopping');
    server.answer('PUT /api/v1/transactions/:id/category', () => ({
      body: { transactionId: shop.id, category: 'groceries', source: 'override' },
    }));
    server.answer('GET /api/v1/transactions', () => page([{ ...shop, category: 'groceries' }]));
    await fireEvent.press(screen.getByTestId('transaction-category-change'));
    expect(screen.getByRole('radio', { name: 'Shopping' })).toBeChecked();
    await fireEvent.press(screen.getByRole('radio', { name: 'Groceries' }));
    await fireEvent.press(screen.getByTestId('transaction-category-save'));
    expect(await screen.findByTestId('transaction-category-saved')).toHaveTextContent(
      'Category changed to Groceries. Payments to this merchant get it from now on.',
    );
    expect(screen.getByTestId('transaction-category-name')).toHaveTextContent('Groceries');
    const [call] = server.calls('PUT /api/v1/transactions/:id/category');
    expect(call?.params).toEqual({ id: shop.id });
    expect(call?.body).toEqual({ category: 'groceries' });
    // The history is read again: the correction applies to the merchant's other lines too.
    await waitFor(() => expect(server.calls('GET /api/v1/transactions').length).toBeGreaterThan(1));
    expect(screen.queryByTestId('transaction-category-choice')).toBeNull();
  });

  it('shows the API’s detail when the correction is refused, and cancels back', async () => {
    const server = await renderShop();
    server.answer('PUT /api/v1/transactions/:id/category', () =>
      problem(422, 'corrections_limit_reached', 'You have corrected 5,000 merchants.'),
    );
    await fireEvent.press(screen.getByTestId('transaction-category-change'));
    await fireEvent.press(screen.getByRole('radio', { name: 'Travel' }));
    await fireEvent.press(screen.getByTestId('transaction-category-save'));
    expect(await screen.findByTestId('transaction-category-problem')).toHaveTextContent(
      'You have corrected 5,000 merchants.',
    );
    await waitFor(() => expect(server.calls('GET /api/v1/transactions').length).toBeGreaterThan(1));
    await fireEvent.press(screen.getByTestId('transaction-category-cancel'));
    expect(screen.queryByTestId('transaction-category-choice')).toBeNull();
    expect(screen.getByTestId('transaction-category-name')).toHaveTextContent('Shopping');
  });

  it('speaks German', async () => {
    await renderShop('de');
    expect(screen.getByTestId('transaction-category-name')).toHaveTextContent('Einkäufe');
    expect(screen.getByRole('button', { name: 'Kategorie ändern' })).toBeTruthy();
  });
});
