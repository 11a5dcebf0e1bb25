import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { useState } from 'react';
import { useApi } from '../api/context';
import { type FakeServer, fakeServer, problem } from '../fake-server';
import { fakePasskeys, renderInApp } from '../test-utils';
import { Button, Text } from '../ui';
import { StepUpCancelled, useStepUp } from './index';

const challenge = {
  challengeId: 'sup_1',
  purpose: 'payment',
  expiresAt: '2026-12-02T10:05:00.000Z',
  publicKey: { challenge: 'q1Vd', rpId: 'bank.test', userVerification: 'required', allowCredentials: [] },
};
const assertion = { id: 'cred', rawId: 'cred', type: 'public-key', response: { signature: 'sig' } };

function Pay() {
  const api = useApi();
  const { withStepUp, sheet } = useStepUp();
  const [result, setResult] = useState('');
  const [key] = useState('idem-key-1');
  const pay = () =>
    withStepUp(
      (stepUp) =>
        api.POST('/api/v1/transfers', {
          params: { header: { 'idempotency-key': key } },
          body: {
            fromAccountId: 'acc_1',
            to: { payeeId: 'pye_1' },
            amount: { amount: '900.00', currency: 'EUR' },
            ...(stepUp ? { stepUp } : {}),
          } as never,
        }),
      {
        lines: [
          { label: 'Amount', value: '€900.00' },
          { label: 'To', value: 'Jane Doe' },
        ],
      },
    ).then(
      () => setResult('done'),
      (error: unknown) => setResult(error instanceof StepUpCancelled ? 'cancelled' : String(error)),
    );
  return (
    <>
      {/* Not `onPress={pay}`: RNTL's fireEvent awaits a handler's promise, and this one waits on the sheet. */}
      <Button
        label="Pay"
        onPress={() => {
          void pay();
        }}
      />
      <Text>{result}</Text>
      {sheet}
    </>
  );
}

function transfersServer(): FakeServer {
  return fakeServer({
    'POST /api/v1/transfers': (call) =>
      (call.body as { stepUp?: unknown }).stepUp
        ? { status: 201, body: { id: 'trf_1', status: 'posted' } }
        : problem(403, 'step_up_required', 'Approve this payment with a passkey.', { stepUp: challenge }),
  });
}

describe('useStepUp', () => {
  it('shows what is approved, signs the challenge and resubmits with the same Idempotency-Key', async () => {
    const server = transfersServer();
    const passkeys = fakePasskeys([assertion]);
    await renderInApp(<Pay />, { api: server.api, passkeys });
    await fireEvent.press(screen.getByRole('button', { name: 'Pay' }));
    expect(await screen.findByTestId('step-up-sheet')).toBeTruthy();
    expect(screen.getByLabelText('Amount: €900.00')).toBeTruthy();
    expect(screen.getByLabelText('To: Jane Doe')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('step-up-approve'));
    expect(await screen.findByText('done')).toBeTruthy();
    expect(passkeys.asked).toEqual([challenge.publicKey]);
    const calls = server.calls('POST /api/v1/transfers');
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.headers.get('idempotency-key'))).toEqual(['idem-key-1', 'idem-key-1']);
    expect((calls[1]?.body as { stepUp?: unknown } | undefined)?.stepUp).toEqual({ challengeId: 'sup_1', assertion });
  });

  it('keeps the sheet open with the reason when the passkey is cancelled, and cancelling does nothing', async () => {
    const server = transfersServer();
    const cancelled = Object.assign(new Error('The operation was cancelled.'), { name: 'NotAllowedError' });
    await renderInApp(<Pay />, { api: server.api, passkeys: fakePasskeys([cancelled]) });
    await fireEvent.press(screen.getByRole('button', { name: 'Pay' }));
    await fireEvent.press(await screen.findByTestId('step-up-approve'));
    expect(await screen.findByText('You cancelled the approval. Nothing was done.')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('step-up-cancel'));
    expect(await screen.findByText('cancelled')).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId('step-up-sheet')).toBeNull());
    expect(server.calls('POST /api/v1/transfers')).toHaveLength(1);
  });

  it('passes every other problem through untouched', async () => {
    const server = fakeServer({
      'POST /api/v1/transfers': () => problem(422, 'insufficient_funds', 'The account does not have enough money.'),
    });
    await renderInApp(<Pay />, { api: server.api });
    await fireEvent.press(screen.getByRole('button', { name: 'Pay' }));
    expect(await screen.findByText(/does not have enough money/)).toBeTruthy();
    expect(screen.queryByTestId('step-up-sheet')).toBeNull();
  });
});
