import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { closeJane, jane, page, stranger } from './fixtures';
import { PaymentsHomeScreen } from './payments-home-screen';

async function renderHome(payees: FakeHandler, options: Parameters<typeof renderInApp>[1] = {}) {
  const server = fakeServer({
    'GET /api/v1/payees': payees,
    'DELETE /api/v1/payees/:id': () => ({ status: 204 }),
  });
  const onNewPayment = jest.fn();
  const onAddPayee = jest.fn();
  await renderInApp(<PaymentsHomeScreen onNewPayment={onNewPayment} onAddPayee={onAddPayee} />, {
    api: server.api,
    ...options,
  });
  return { server, onNewPayment, onAddPayee };
}

describe('payments home', () => {
  it('shows a spinner while the payees load, and the actions already', async () => {
    const { onNewPayment, onAddPayee } = await renderHome(pending);
    expect(screen.getByTestId('payees-loading')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('new-payment'));
    await fireEvent.press(screen.getByTestId('add-payee'));
    expect(onNewPayment).toHaveBeenCalled();
    expect(onAddPayee).toHaveBeenCalled();
  });

  it('says there are no payees yet', async () => {
    await renderHome(() => page([]));
    expect(await screen.findByTestId('payees-empty')).toHaveTextContent(/No saved payees yet/);
  });

  it('shows the API’s detail when the list fails, and retries', async () => {
    const { server } = await renderHome(() => problem(503, 'service_unavailable', 'The bank is briefly unavailable.'));
    expect(await screen.findByText('The bank is briefly unavailable.')).toBeTruthy();
    server.answer('GET /api/v1/payees', () => page([jane]));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Jane Doe')).toBeTruthy();
  });

  it('lists payees with their masked IBAN and confirmation of payee result, in German too', async () => {
    await renderHome(() => page([jane, closeJane, stranger]), { settings: { language: 'de' } });
    const row = await screen.findByTestId(`payee-${jane.id}`);
    expect(within(row).getByText(jane.maskedIban)).toBeTruthy();
    expect(within(row).getByText('Name von der Bank bestätigt')).toBeTruthy();
    expect(within(screen.getByTestId(`payee-${closeJane.id}`)).getByTestId('cop-close-match')).toBeTruthy();
    expect(within(screen.getByTestId(`payee-${stranger.id}`)).getByTestId('cop-no-match')).toHaveTextContent(
      /falschen Person/,
    );
  });

  it('reads every page of payees', async () => {
    const { server } = await renderHome((call) =>
      call.query.get('cursor') === 'page2' ? page([closeJane]) : { body: { data: [jane], nextCursor: 'page2' } },
    );
    expect(await screen.findByText('Jane Do')).toBeTruthy();
    expect(screen.getByText('Jane Doe')).toBeTruthy();
    expect(server.calls('GET /api/v1/payees').map((c) => c.query.get('limit'))).toEqual(['100', '100']);
  });

  it('deletes a payee only after confirming', async () => {
    const { server } = await renderHome(() => page([jane]));
    await fireEvent.press(await screen.findByTestId(`payee-delete-${jane.id}`));
    expect(screen.getByText(/Delete Jane Doe\? Payments you already made stay/)).toBeTruthy();
    await fireEvent.press(screen.getByTestId(`payee-delete-cancel-${jane.id}`));
    expect(server.calls('DELETE /api/v1/payees/:id')).toHaveLength(0);

    server.answer('GET /api/v1/payees', () => page([]));
    await fireEvent.press(screen.getByTestId(`payee-delete-${jane.id}`));
    await fireEvent.press(screen.getByTestId(`payee-delete-confirm-${jane.id}`));
    await waitFor(() => expect(server.calls('DELETE /api/v1/payees/:id')).toHaveLength(1));
    expect(server.calls('DELETE /api/v1/payees/:id')[0]?.params).toEqual({ id: jane.id });
    expect(await screen.findByTestId('payees-empty')).toBeTruthy();
  });

  it('shows why a delete failed', async () => {
    const { server } = await renderHome(() => page([jane]));
    server.answer('DELETE /api/v1/payees/:id', () => problem(404, 'payee_not_found', 'This payee no longer exists.'));
    await fireEvent.press(await screen.findByTestId(`payee-delete-${jane.id}`));
    await fireEvent.press(screen.getByTestId(`payee-delete-confirm-${jane.id}`));
    expect(await screen.findByText('This payee no longer exists.')).toBeTruthy();
  });

  it('does not delete while offline, and says why', async () => {
    const { server } = await renderHome(() => page([jane]), { online: false });
    await fireEvent.press(await screen.findByTestId(`payee-delete-${jane.id}`));
    const confirm = screen.getByTestId(`payee-delete-confirm-${jane.id}`);
    expect(confirm).toBeDisabled();
    expect(confirm.props.accessibilityHint).toBe(
      'You are offline. Payments can be sent again once you are back online.',
    );
    expect(server.calls('DELETE /api/v1/payees/:id')).toHaveLength(0);
  });
});
