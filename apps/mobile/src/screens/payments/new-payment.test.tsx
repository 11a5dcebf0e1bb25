import { onlineManager, useQueryClient } from '@tanstack/react-query';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { type ReactNode, useState } from 'react';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { accountKeys } from '../../queries/accounts';
import { fakePasskeys, renderInApp } from '../../test-utils';
import { assertion, challenge, checking, closeJane, held, jane, page, posted, savings, stranger } from './fixtures';
import { NewPaymentScreen } from './new-payment-screen';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

function paymentsServer(transfers: FakeHandler = () => ({ status: 201, body: posted }), accounts?: FakeHandler) {
  return fakeServer({
    'GET /api/v1/accounts': accounts ?? (() => page([checking, savings])),
    'GET /api/v1/payees': () => page([jane, closeJane, stranger]),
    'POST /api/v1/transfers': transfers,
  });
}

async function renderPayment(server = paymentsServer(), options: Parameters<typeof renderInApp>[1] = {}) {
  const onDone = jest.fn();
  const onOpenTransfer = jest.fn();
  await renderInApp(<NewPaymentScreen onDone={onDone} onOpenTransfer={onOpenTransfer} />, {
    api: server.api,
    ...options,
  });
  return { server, onDone, onOpenTransfer };
}

/** Fills the form to pay a saved payee and goes on to the review. */
async function reviewPaymentTo(payeeId = jane.id, amount = '45.50', reference = 'Concert tickets') {
  await fireEvent.press(await screen.findByTestId(`payment-to-payee:${payeeId}`));
  await fireEvent.changeText(screen.getByTestId('payment-amount'), amount);
  await fireEvent.changeText(screen.getByTestId('payment-reference'), reference);
  await fireEvent.press(screen.getByTestId('payment-continue'));
  await screen.findByTestId('payment-review');
}

/** The accounts the home screen loaded before the connection went. */
function Cached({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  useState(() => client.setQueryData(accountKeys.list(), [checking, savings]));
  return children;
}

const transferCalls = (server: ReturnType<typeof paymentsServer>) => server.calls('POST /api/v1/transfers');

describe('new payment: loading the form', () => {
  it('shows a spinner while the accounts load', async () => {
    await renderPayment(paymentsServer(undefined, pending));
    expect(screen.getByRole('progressbar')).toBeTruthy();
    expect(screen.queryByTestId('payment-from')).toBeNull();
  });

  it('shows the API’s detail when the accounts fail, and retries', async () => {
    const server = paymentsServer(undefined, () => problem(500, 'internal', 'Our fault: try again.'));
    await renderPayment(server);
    expect(await screen.findByText('Our fault: try again.')).toBeTruthy();
    server.answer('GET /api/v1/accounts', () => page([checking, savings]));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('payment-from')).toBeTruthy();
  });

  it('says so when there is no account to pay from', async () => {
    await renderPayment(paymentsServer(undefined, () => page([])));
    expect(await screen.findByText('You have no open account to pay from.')).toBeTruthy();
  });

  it('preselects the account it was opened for', async () => {
    const server = paymentsServer();
    await renderInApp(<NewPaymentScreen fromAccountId={savings.id} onDone={jest.fn()} onOpenTransfer={jest.fn()} />, {
      api: server.api,
    });
    expect(await screen.findByTestId(`payment-from-${savings.id}`)).toBeChecked();
    expect(screen.getByTestId(`payment-from-${checking.id}`)).not.toBeChecked();
    // The source is not offered as the recipient.
    expect(screen.queryByTestId(`payment-to-account:${savings.id}`)).toBeNull();
  });
});

describe('new payment: the form checks the amount before calling the API', () => {
  it('refuses more decimals than the currency has, next to the amount', async () => {
    const { server } = await renderPayment();
    await fireEvent.press(await screen.findByTestId(`payment-to-account:${savings.id}`));
    await fireEvent.changeText(screen.getByTestId('payment-amount'), '12.345');
    await fireEvent.press(screen.getByTestId('payment-continue'));
    expect(screen.getByTestId('payment-amount').props.accessibilityHint).toBe(
      'Error: This currency has 2 decimal places.',
    );
    expect(screen.queryByTestId('payment-review')).toBeNull();
    expect(transferCalls(server)).toHaveLength(0);
  });

  it('reads German input and answers in German', async () => {
    await renderPayment(paymentsServer(), { settings: { language: 'de' } });
    await fireEvent.press(await screen.findByTestId(`payment-to-account:${savings.id}`));
    await fireEvent.changeText(screen.getByTestId('payment-amount'), '0,00');
    await fireEvent.press(screen.getByTestId('payment-continue'));
    expect(screen.getByText('Der Betrag muss größer als null sein.')).toBeTruthy();
    await fireEvent.changeText(screen.getByTestId('payment-amount'), '1.234,50');
    await fireEvent.press(screen.getByTestId('payment-continue'));
    const amount = await within(await screen.findByTestId('payment-review-amount')).findByText(/1\.234,50/);
    expect(plain(amount.props.children)).toBe('1.234,50 €');
  });

  it('refuses garbage, and asks for no IBAN when paying a saved payee', async () => {
    const { server } = await renderPayment();
    await fireEvent.press(await screen.findByTestId(`payment-to-payee:${jane.id}`));
    expect(screen.queryByTestId('payment-to-iban')).toBeNull();
    await fireEvent.changeText(screen.getByTestId('payment-amount'), 'twelve');
    await fireEvent.press(screen.getByTestId('payment-continue'));
    expect(screen.getByText('Enter an amount as a number, for example 12.50.')).toBeTruthy();
    expect(transferCalls(server)).toHaveLength(0);
  });

  it('asks who to pay before the review', async () => {
    await renderPayment();
    await fireEvent.changeText(await screen.findByTestId('payment-amount'), '12');
    await fireEvent.press(screen.getByTestId('payment-continue'));
    expect(screen.getByTestId('payment-to-error')).toHaveTextContent('Choose who to pay.');
    expect(screen.queryByTestId('payment-review')).toBeNull();
  });
});

describe('new payment: review and submit', () => {
  it('reviews payer, payee, amount and reference, then sends the order with an Idempotency-Key', async () => {
    const { server, onOpenTransfer, onDone } = await renderPayment();
    await reviewPaymentTo();
    expect(within(screen.getByTestId('payment-review-from')).getByText('Checking')).toBeTruthy();
    expect(within(screen.getByTestId('payment-review-from')).getByText(checking.maskedIban)).toBeTruthy();
    expect(within(screen.getByTestId('payment-review-to')).getByText('Jane Doe')).toBeTruthy();
    expect(within(screen.getByTestId('payment-review-to')).getByText(jane.maskedIban)).toBeTruthy();
    expect(within(screen.getByTestId('payment-review-amount')).getByText('€45.50')).toBeTruthy();
    expect(within(screen.getByTestId('payment-review-reference')).getByText('Concert tickets')).toBeTruthy();
    expect(transferCalls(server)).toHaveLength(0);

    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    expect(await screen.findByTestId('payment-result')).toHaveTextContent(/Payment sent/);
    expect(screen.getByText('To Jane Doe: Completed')).toBeTruthy();
    const [call] = transferCalls(server);
    expect(call?.body).toEqual({
      fromAccountId: checking.id,
      to: { payeeId: jane.id },
      amount: { amount: '45.50', currency: 'EUR' },
      reference: 'Concert tickets',
    });
    expect(call?.headers.get('idempotency-key')).toMatch(uuid);
    // Balances changed: the accounts are fetched again.
    await waitFor(() => expect(server.calls('GET /api/v1/accounts')).toHaveLength(2));

    await fireEvent.press(screen.getByTestId('payment-result-open'));
    expect(onOpenTransfer).toHaveBeenCalledWith(posted.id);
    await fireEvent.press(screen.getByTestId('payment-result-done'));
    expect(onDone).toHaveBeenCalled();
  });

  it('pays an own account by its id', async () => {
    const { server } = await renderPayment();
    await fireEvent.press(await screen.findByTestId(`payment-to-account:${savings.id}`));
    expect(screen.queryByTestId('payment-to-iban')).toBeNull();
    await fireEvent.changeText(screen.getByTestId('payment-amount'), '1,000');
    await fireEvent.press(screen.getByTestId('payment-continue'));
    expect(within(await screen.findByTestId('payment-review-to')).getByText('Rainy day')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    await screen.findByTestId('payment-result');
    expect(transferCalls(server)[0]?.body).toEqual({
      fromAccountId: checking.id,
      to: { accountId: savings.id },
      amount: { amount: '1000.00', currency: 'EUR' },
    });
  });

  it('resubmits with the same Idempotency-Key after the passkey approval', async () => {
    const server = paymentsServer((call) =>
      (call.body as { stepUp?: unknown }).stepUp
        ? { status: 201, body: posted }
        : problem(403, 'step_up_required', 'Approve this payment with one of your passkeys.', { stepUp: challenge }),
    );
    const passkeys = fakePasskeys([assertion]);
    await renderPayment(server, { passkeys });
    await reviewPaymentTo();
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    expect(await screen.findByTestId('step-up-sheet')).toBeTruthy();
    expect(screen.getByLabelText('Amount: €45.50')).toBeTruthy();
    expect(screen.getByLabelText(`To: Jane Doe (${jane.maskedIban})`)).toBeTruthy();
    await fireEvent.press(screen.getByTestId('step-up-approve'));
    expect(await screen.findByTestId('payment-result')).toBeTruthy();
    expect(passkeys.asked).toEqual([challenge.publicKey]);
    const calls = transferCalls(server);
    expect(calls).toHaveLength(2);
    const [first, second] = calls.map((c) => c.headers.get('idempotency-key'));
    expect(first).toMatch(uuid);
    expect(second).toBe(first);
    expect((calls[1]?.body as { stepUp?: unknown } | undefined)?.stepUp).toEqual({
      challengeId: challenge.challengeId,
      assertion,
    });
  });

  it('retries with the same Idempotency-Key after a failure, and after reviewing the same order again', async () => {
    let answers = 0;
    const server = paymentsServer(() => {
      answers += 1;
      return answers < 3
        ? problem(503, 'service_unavailable', 'The bank is briefly unavailable. Try again.')
        : { status: 201, body: posted };
    });
    await renderPayment(server);
    await reviewPaymentTo();
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    expect(await screen.findByTestId('payment-review-problem')).toHaveTextContent(/briefly unavailable/);
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    await waitFor(() => expect(transferCalls(server)).toHaveLength(2));
    // Back to the form and the same order reviewed again: the unanswered key goes with it.
    await fireEvent.press(await screen.findByTestId('payment-review-edit'));
    await fireEvent.press(screen.getByTestId('payment-continue'));
    await fireEvent.press(await screen.findByTestId('payment-review-submit'));
    expect(await screen.findByTestId('payment-result')).toBeTruthy();
    const keys = transferCalls(server).map((c) => c.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it('sends a new Idempotency-Key for a changed order', async () => {
    const server = paymentsServer(() => problem(422, 'limit_exceeded', 'This is over your daily limit.'));
    await renderPayment(server);
    await reviewPaymentTo();
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    expect(await screen.findByTestId('payment-review-problem')).toHaveTextContent('This is over your daily limit.');
    await fireEvent.press(screen.getByTestId('payment-review-edit'));
    await fireEvent.changeText(screen.getByTestId('payment-amount'), '40');
    await fireEvent.press(screen.getByTestId('payment-continue'));
    await fireEvent.press(await screen.findByTestId('payment-review-submit'));
    await waitFor(() => expect(transferCalls(server)).toHaveLength(2));
    const [first, second] = transferCalls(server).map((c) => c.headers.get('idempotency-key'));
    expect(second).not.toBe(first);
  });

  it('shows the API’s field error at the amount field, back on the form', async () => {
    const server = paymentsServer(() =>
      problem(422, 'insufficient_funds', 'The account does not have enough money for this payment.', {
        errors: [{ pointer: '/body/amount/amount', detail: 'exceeds the available balance' }],
      }),
    );
    await renderPayment(server);
    await reviewPaymentTo(jane.id, '5000');
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    const amount = await screen.findByTestId('payment-amount');
    expect(amount.props.accessibilityHint).toBe('Error: exceeds the available balance');
    expect(amount.props.value).toBe('5000');
    expect(screen.getByTestId('payment-form-problem')).toHaveTextContent(/does not have enough money/);
  });

  it('sends the customer back to choose again when the payee was deleted meanwhile, and reloads the payees', async () => {
    const server = paymentsServer(() =>
      problem(404, 'payee_not_found', 'No payee with this id among your payees. List yours with GET /api/v1/payees.'),
    );
    await renderPayment(server);
    await reviewPaymentTo();
    server.answer('GET /api/v1/payees', () => page([closeJane, stranger]));
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    expect(await screen.findByTestId('payment-to-error')).toHaveTextContent(
      'This payee is no longer saved. Choose who to pay again.',
    );
    expect(screen.getByTestId('payment-form-problem')).toHaveTextContent(/Nothing was sent: the payee was deleted/);
    expect(screen.queryByText(/GET \/api\/v1\/payees/)).toBeNull();
    await waitFor(() => expect(screen.queryByTestId(`payment-to-payee:${jane.id}`)).toBeNull());
    expect(server.calls('GET /api/v1/payees')).toHaveLength(2);
  });

  it('shows a declined transfer as the result, with the API’s detail', async () => {
    await renderPayment(
      paymentsServer(() =>
        problem(
          422,
          'transfer_declined',
          'We could not make this transfer. Contact support if you think this is a mistake.',
        ),
      ),
    );
    await reviewPaymentTo();
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    expect(await screen.findByTestId('payment-result-declined')).toHaveTextContent(/could not make this transfer/);
    expect(screen.queryByTestId('payment-result-open')).toBeNull();
  });

  it('shows a payment held for review as not sent, the money reserved, why and what happens next', async () => {
    const { server, onOpenTransfer } = await renderPayment(paymentsServer(() => ({ status: 202, body: held })));
    await reviewPaymentTo();
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    const result = await screen.findByTestId('payment-result');
    expect(screen.getByTestId('payment-result-held-title')).toHaveTextContent('Payment held for review');
    expect(result).not.toHaveTextContent(/Payment sent|Completed/);
    expect(plain(String(screen.getByTestId('payment-result-review-held').props.children))).toBe(
      'Not sent yet: €45.50 to Jane Doe is reserved on your account while we check this payment.',
    );
    expect(screen.getByLabelText('Why we are checking it: You have not paid this account before.')).toBeTruthy();
    expect(screen.getByTestId('payment-result-review-next')).toHaveTextContent(/within one business day/);
    expect(screen.getByTestId('payment-result-review-not-you')).toHaveTextContent(
      'If you did not make this payment, contact us now.',
    );
    // The held amount lowers the available balance: the accounts are fetched again.
    await waitFor(() => expect(server.calls('GET /api/v1/accounts')).toHaveLength(2));
    await fireEvent.press(screen.getByTestId('payment-result-open'));
    expect(onOpenTransfer).toHaveBeenCalledWith(held.id);
  });

  it('translates the reason of a held payment into German', async () => {
    const unusual = { ...held, review: { ...held.review, status: 'pending', reason: 'unusual_amount' } as const };
    await renderPayment(
      paymentsServer(() => ({ status: 202, body: unusual })),
      { settings: { language: 'de' } },
    );
    await reviewPaymentTo(jane.id, '45,50');
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    expect(await screen.findByTestId('payment-result-held-title')).toHaveTextContent('Zahlung wird geprüft');
    expect(
      screen.getByLabelText(
        'Warum wir sie prüfen: Diese Zahlung ist höher als die Zahlungen, die Sie üblicherweise machen.',
      ),
    ).toBeTruthy();
    expect(screen.getByTestId('payment-result-review-next')).toHaveTextContent(/innerhalb eines Geschäftstags/);
  });

  it('warns about a close match on the review', async () => {
    await renderPayment();
    await reviewPaymentTo(closeJane.id);
    expect(screen.getByTestId('cop-close-match')).toHaveTextContent(/Jane Do is close to/);
    expect(screen.getByTestId('payment-review-submit')).toBeEnabled();
  });

  it('warns about a no match and sends only after the customer confirms it', async () => {
    const { server } = await renderPayment();
    await reviewPaymentTo(stranger.id);
    expect(screen.getByTestId('cop-no-match')).toHaveTextContent(/may go to the wrong person/);
    const submit = screen.getByTestId('payment-review-submit');
    expect(submit).toBeDisabled();
    expect(submit.props.accessibilityHint).toBe('Confirm that you checked the payee’s details first.');
    await fireEvent(screen.getByTestId('payment-review-accept-no-match'), 'valueChange', true);
    await fireEvent.press(screen.getByTestId('payment-review-submit'));
    expect(await screen.findByTestId('payment-result')).toBeTruthy();
    expect(transferCalls(server)).toHaveLength(1);
  });

  it('disables submit while offline and says why', async () => {
    const { server } = await renderPayment(paymentsServer(), { online: false });
    await reviewPaymentTo();
    const submit = screen.getByTestId('payment-review-submit');
    expect(submit).toBeDisabled();
    expect(submit.props.accessibilityHint).toBe('You are offline: the payment can be sent once you are back online.');
    await fireEvent.press(submit);
    expect(transferCalls(server)).toHaveLength(0);
  });

  it('offers the own accounts offline when the payees were never loaded', async () => {
    onlineManager.setOnline(false);
    try {
      const server = paymentsServer();
      await renderInApp(
        <Cached>
          <NewPaymentScreen onDone={() => {}} onOpenTransfer={() => {}} />
        </Cached>,
        { api: server.api, online: false },
      );
      expect(await screen.findByTestId(`payment-to-account:${savings.id}`)).toBeTruthy();
      expect(screen.queryByTestId(`payment-to-payee:${jane.id}`)).toBeNull();
      expect(server.calls('GET /api/v1/payees')).toHaveLength(0);
    } finally {
      onlineManager.setOnline(true);
    }
  });
});
