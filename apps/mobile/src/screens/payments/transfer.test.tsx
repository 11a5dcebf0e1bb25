import { fireEvent, screen } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { checking, held, page, posted, rejected, savings } from './fixtures';
import { TransferScreen } from './transfer-screen';

const plain = (s: string | undefined) => s?.replace(/[\u00a0\u202f]/g, ' ');

async function renderTransfer(transfer: FakeHandler, options: Parameters<typeof renderInApp>[1] = {}) {
  const server = fakeServer({
    'GET /api/v1/transfers/:id': transfer,
    'GET /api/v1/accounts': () => page([checking, savings]),
  });
  const onBack = jest.fn();
  await renderInApp(<TransferScreen id={posted.id} onBack={onBack} />, { api: server.api, ...options });
  return { server, onBack };
}

describe('transfer detail', () => {
  it('shows a spinner while it loads', async () => {
    await renderTransfer(pending);
    expect(screen.getByRole('progressbar')).toBeTruthy();
  });

  it('shows the API’s detail when it is not found, and retries', async () => {
    const { server } = await renderTransfer(() => problem(404, 'transfer_not_found', 'No such transfer among yours.'));
    expect(await screen.findByText('No such transfer among yours.')).toBeTruthy();
    server.answer('GET /api/v1/transfers/:id', () => ({ body: posted }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('transfer-status')).toBeTruthy();
  });

  it('shows status, amount, both sides, reference and dates', async () => {
    const { server, onBack } = await renderTransfer(() => ({ body: posted }));
    expect(await screen.findByTestId('transfer-amount')).toHaveTextContent('€45.50');
    expect(server.calls('GET /api/v1/transfers/:id')[0]?.params).toEqual({ id: posted.id });
    expect(screen.getByLabelText('Status: Completed')).toBeTruthy();
    expect(await screen.findByLabelText(`From: Checking (${checking.maskedIban})`)).toBeTruthy();
    expect(screen.getByLabelText(`To: J*** D** (${posted.counterparty.maskedIban})`)).toBeTruthy();
    expect(screen.getByLabelText('Reference: Concert tickets')).toBeTruthy();
    expect(plain(screen.getByTestId('transfer-created').props.accessibilityLabel)).toMatch(/^Created: 26 Nov 2026/);
    await fireEvent.press(screen.getByTestId('transfer-back'));
    expect(onBack).toHaveBeenCalled();
  });

  it('names an own payee account, in German', async () => {
    await renderTransfer(() => ({ body: { ...posted, toAccountId: savings.id, reference: '', postedAt: null } }), {
      settings: { language: 'de' },
    });
    expect(await screen.findByLabelText(`An: Rainy day (${savings.maskedIban})`)).toBeTruthy();
    expect(screen.getByLabelText('Verwendungszweck: Kein Verwendungszweck')).toBeTruthy();
    expect(screen.getByLabelText('Gebucht: Noch nicht gebucht')).toBeTruthy();
    expect(screen.getByLabelText('Status: Ausgeführt')).toBeTruthy();
  });

  it('shows a transfer held for review as pending, the money reserved, and why', async () => {
    await renderTransfer(() => ({ body: held }));
    expect(await screen.findByLabelText('Status: Pending review')).toBeTruthy();
    expect(screen.getByTestId('transfer-review-held')).toHaveTextContent(
      'Not sent yet: the amount is reserved on your account while we check this payment.',
    );
    expect(screen.getByLabelText('Why we are checking it: You have not paid this account before.')).toBeTruthy();
    expect(screen.getByTestId('transfer-review-not-you')).toBeTruthy();
    expect(screen.getByLabelText('Booked: Not booked yet')).toBeTruthy();
  });

  it('shows a rejected transfer as rejected, with the review’s text, in German too', async () => {
    await renderTransfer(() => ({ body: rejected }), { settings: { language: 'de' } });
    expect(await screen.findByLabelText('Status: Nach Prüfung abgelehnt')).toBeTruthy();
    expect(screen.getByTestId('transfer-review-rejected')).toHaveTextContent(
      /nicht gesendet; das reservierte Geld ist wieder verfügbar/,
    );
    expect(screen.getByLabelText('Warum wir sie prüfen: Sie haben an dieses Konto noch nie gezahlt.')).toBeTruthy();
    expect(screen.queryByTestId('transfer-review-held')).toBeNull();
  });

  it('shows the API’s sentence for a reason this app does not know yet', async () => {
    const newer = { ...held, review: { status: 'pending', reason: 'velocity_spike', message: 'Checking it.' } };
    await renderTransfer(() => ({ body: newer }));
    expect(await screen.findByLabelText('Why we are checking it: Checking it.')).toBeTruthy();
  });

  it('shows no review for a transfer that simply posted', async () => {
    await renderTransfer(() => ({ body: posted }));
    expect(await screen.findByLabelText('Status: Completed')).toBeTruthy();
    expect(screen.queryByTestId('transfer-review')).toBeNull();
  });
});
