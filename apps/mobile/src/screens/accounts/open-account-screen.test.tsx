import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { account, savingsId } from './fixtures';
import { OpenAccountScreen } from './open-account-screen';

const opened = {
  ...account({ id: savingsId, type: 'savings', name: 'Rainy day', currency: 'GBP' }),
  iban: 'GB33BUKB20201555555555',
};

describe('open an account', () => {
  it('sends the type, currency and name, then goes to the new account', async () => {
    const server = fakeServer({ 'POST /api/v1/accounts': () => ({ status: 201, body: opened }) });
    const onOpened = jest.fn();
    await renderInApp(<OpenAccountScreen onOpened={onOpened} />, { api: server.api });
    await fireEvent.press(screen.getByRole('radio', { name: 'Savings account' }));
    await fireEvent.press(screen.getByRole('radio', { name: 'Pound sterling (GBP)' }));
    await fireEvent.changeText(screen.getByTestId('open-name'), '  Rainy day ');
    await fireEvent.press(screen.getByTestId('open-submit'));
    await waitFor(() => expect(onOpened).toHaveBeenCalledWith(savingsId));
    expect(server.calls('POST /api/v1/accounts')[0]?.body).toEqual({
      type: 'savings',
      currency: 'GBP',
      name: 'Rainy day',
    });
  });

  it('leaves out an empty name (the API then names the account)', async () => {
    const server = fakeServer({ 'POST /api/v1/accounts': () => ({ status: 201, body: opened }) });
    const onOpened = jest.fn();
    await renderInApp(<OpenAccountScreen onOpened={onOpened} />, { api: server.api });
    await fireEvent.press(screen.getByTestId('open-submit'));
    await waitFor(() => expect(onOpened).toHaveBeenCalledTimes(1));
    expect(server.calls('POST /api/v1/accounts')[0]?.body).toEqual({ type: 'checking', currency: 'EUR' });
  });

  it('is busy while the account is being opened', async () => {
    const server = fakeServer({ 'POST /api/v1/accounts': pending });
    await renderInApp(<OpenAccountScreen onOpened={() => {}} />, { api: server.api });
    await fireEvent.press(screen.getByTestId('open-submit'));
    await waitFor(() => expect(screen.getByTestId('open-submit')).toBeBusy());
  });

  it('shows the API’s field problem next to the name', async () => {
    const server = fakeServer({
      'POST /api/v1/accounts': () =>
        problem(400, 'validation_failed', 'Check the highlighted fields.', {
          errors: [{ pointer: '/body/name', detail: 'must not start or end with a space' }],
        }),
    });
    const onOpened = jest.fn();
    await renderInApp(<OpenAccountScreen onOpened={onOpened} />, { api: server.api });
    await fireEvent.changeText(screen.getByTestId('open-name'), 'Holiday');
    await fireEvent.press(screen.getByTestId('open-submit'));
    expect(await screen.findByText('must not start or end with a space')).toBeTruthy();
    expect(screen.getByLabelText('Name (optional)').props.accessibilityHint).toBe(
      'Error: must not start or end with a space',
    );
    expect(screen.queryByTestId('open-problem')).toBeNull();
    expect(onOpened).not.toHaveBeenCalled();
  });

  it('shows a refusal that is about no field above the button', async () => {
    const server = fakeServer({
      'POST /api/v1/accounts': () => problem(409, 'account_limit_reached', 'You already have 20 open accounts.'),
    });
    await renderInApp(<OpenAccountScreen onOpened={() => {}} />, { api: server.api, settings: { language: 'de' } });
    expect(screen.getByRole('heading', { name: 'Konto eröffnen' })).toBeTruthy();
    await fireEvent.press(screen.getByTestId('open-submit'));
    expect(await screen.findByTestId('open-problem')).toHaveTextContent('You already have 20 open accounts.');
  });

  it('cannot be sent offline, and says why', async () => {
    await renderInApp(<OpenAccountScreen onOpened={() => {}} />, { api: fakeServer().api, online: false });
    expect(screen.getByTestId('open-submit')).toBeDisabled();
  });
});
