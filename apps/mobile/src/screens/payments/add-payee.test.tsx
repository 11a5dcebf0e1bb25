import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { AddPayeeScreen } from './add-payee-screen';
import { jane, janeIban } from './fixtures';

const created = (confirmation: string, extra: Record<string, unknown> = {}) => ({
  status: 201,
  body: { ...jane, confirmation, ...extra },
});

async function renderAddPayee(create: FakeHandler, options: Parameters<typeof renderInApp>[1] = {}) {
  const server = fakeServer({
    'POST /api/v1/payees': create,
    'DELETE /api/v1/payees/:id': () => ({ status: 204 }),
  });
  const onDone = jest.fn();
  await renderInApp(<AddPayeeScreen onDone={onDone} />, { api: server.api, ...options });
  return { server, onDone };
}

async function fillAndSubmit(name = 'Jane Doe', iban = janeIban) {
  await fireEvent.changeText(screen.getByTestId('payee-name'), name);
  await fireEvent.changeText(screen.getByTestId('payee-iban'), iban);
  await fireEvent.press(screen.getByTestId('payee-submit'));
}

const posts = (server: { calls: (route: string) => readonly { body: unknown }[] }) =>
  server.calls('POST /api/v1/payees').map((c) => c.body);

describe('add payee', () => {
  it('saves a matching payee and says the name matches', async () => {
    const { server, onDone } = await renderAddPayee(() => created('match'));
    await fillAndSubmit();
    expect(await screen.findByTestId('payee-match')).toHaveTextContent('The name matches the account.');
    expect(posts(server)).toEqual([{ name: 'Jane Doe', iban: janeIban, reference: '' }]);
    await fireEvent.press(screen.getByTestId('payee-done'));
    expect(onDone).toHaveBeenCalled();
  });

  it('is busy while saving', async () => {
    await renderAddPayee(pending);
    await fillAndSubmit();
    await waitFor(() => expect(screen.getByTestId('payee-submit')).toBeBusy());
  });

  it('asks for the name and IBAN before calling the API', async () => {
    const { server } = await renderAddPayee(() => created('match'));
    await fireEvent.press(screen.getByTestId('payee-submit'));
    expect(screen.getByTestId('payee-name').props.accessibilityHint).toBe(
      'Error: Enter the name of the account holder.',
    );
    expect(screen.getByTestId('payee-iban').props.accessibilityHint).toBe('Error: Enter the IBAN.');
    expect(posts(server)).toHaveLength(0);
  });

  it('shows the API’s field error at its field', async () => {
    await renderAddPayee(() =>
      problem(400, 'invalid_iban', 'Check the IBAN.', {
        errors: [{ pointer: '/body/iban', detail: 'has wrong check digits' }],
      }),
    );
    await fillAndSubmit('Jane Doe', 'DE00 0000');
    await waitFor(() =>
      expect(screen.getByTestId('payee-iban').props.accessibilityHint).toBe('Error: has wrong check digits'),
    );
    expect(screen.queryByTestId('payee-problem')).toBeNull();
  });

  it('shows other refusals as a banner with the API’s detail', async () => {
    await renderAddPayee(() => problem(409, 'payee_exists', 'You already saved this IBAN.'));
    await fillAndSubmit();
    expect(await screen.findByTestId('payee-problem')).toHaveTextContent('You already saved this IBAN.');
  });

  it('offers the holder’s name on a close match and saves the payee again under it', async () => {
    const { server, onDone } = await renderAddPayee((call) =>
      (call.body as { name: string }).name === 'Jane Anne Doe'
        ? created('match', { name: 'Jane Anne Doe', id: 'pye_01kfz3t4u5v6w7x8y9z0a1b2c9' })
        : created('close_match', { name: 'Jane Doe', suggestedName: 'Jane Anne Doe' }),
    );
    await fillAndSubmit();
    expect(await screen.findByTestId('payee-close-match')).toHaveTextContent(
      'The name on the account is Jane Anne Doe.',
    );
    expect(screen.getByTestId('payee-keep-mine')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('payee-use-suggested'));
    expect(await screen.findByTestId('payee-match')).toBeTruthy();
    expect(server.calls('DELETE /api/v1/payees/:id').map((c) => c.params.id)).toEqual([jane.id]);
    expect(posts(server)).toEqual([
      { name: 'Jane Doe', iban: janeIban, reference: '' },
      { name: 'Jane Anne Doe', iban: janeIban, reference: '' },
    ]);
    await fireEvent.press(screen.getByTestId('payee-done'));
    expect(onDone).toHaveBeenCalled();
  });

  it('keeps the typed name on a close match when asked', async () => {
    const { server, onDone } = await renderAddPayee(() => created('close_match', { suggestedName: 'Jane Anne Doe' }));
    await fillAndSubmit();
    await fireEvent.press(await screen.findByTestId('payee-keep-mine'));
    expect(onDone).toHaveBeenCalled();
    expect(server.calls('DELETE /api/v1/payees/:id')).toHaveLength(0);
  });

  it('warns strongly on a no match and needs an explicit choice', async () => {
    const { server, onDone } = await renderAddPayee(() => created('no_match'));
    await fillAndSubmit();
    expect(await screen.findByTestId('payee-no-match')).toHaveTextContent(/may go to the wrong person/);
    expect(screen.queryByTestId('payee-done')).toBeNull();
    await fireEvent.press(screen.getByTestId('payee-no-match-remove'));
    await waitFor(() => expect(server.calls('DELETE /api/v1/payees/:id')).toHaveLength(1));
    // Back on the form with what was typed, to correct it.
    expect(await screen.findByTestId('payee-name')).toHaveProp('value', 'Jane Doe');
    expect(onDone).not.toHaveBeenCalled();
  });

  it('keeps a no match payee only when the customer confirms they checked', async () => {
    const { server, onDone } = await renderAddPayee(() => created('no_match'));
    await fillAndSubmit();
    await fireEvent.press(await screen.findByTestId('payee-no-match-keep'));
    expect(onDone).toHaveBeenCalled();
    expect(server.calls('DELETE /api/v1/payees/:id')).toHaveLength(0);
  });

  it('says when the name could not be checked, in German', async () => {
    await renderAddPayee(() => created('not_checked'), { settings: { language: 'de' } });
    await fillAndSubmit();
    expect(await screen.findByTestId('payee-not-checked')).toHaveTextContent(/konnte nicht geprüft werden/);
  });

  it('does not save while offline, and says why', async () => {
    const { server } = await renderAddPayee(() => created('match'), { online: false });
    await fillAndSubmit();
    expect(screen.getByTestId('payee-submit')).toBeDisabled();
    expect(screen.getByTestId('payee-submit').props.accessibilityHint).toMatch(/You are offline/);
    expect(posts(server)).toHaveLength(0);
  });
});
