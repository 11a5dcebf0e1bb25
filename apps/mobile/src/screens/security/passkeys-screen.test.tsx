import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { fakeServer, pending, problem } from '../../fake-server';
import { formatDate } from '../../format/dates';
import type { Passkey } from '../../queries/passkeys';
import { fakePasskeys, fakeSession, renderInApp } from '../../test-utils';
import { PasskeysScreen } from './passkeys-screen';

const phone: Passkey = {
  id: 'pky_01jf8x3m5n6p7q8r9s0t1v2w3x',
  name: 'My phone',
  createdAt: '2026-11-20T09:00:00.000Z',
  lastUsedAt: '2026-12-01T18:30:00.000Z',
  backedUp: true,
  deviceType: 'multiDevice',
  transports: ['internal'],
};
const laptop: Passkey = {
  id: 'pky_01jf8x3m5n6p7q8r9s0t1v2w3y',
  name: 'Laptop',
  createdAt: '2026-12-02T10:00:00.000Z',
  lastUsedAt: null,
  backedUp: false,
  deviceType: 'singleDevice',
  transports: ['hybrid'],
};
const list =
  (...data: Passkey[]) =>
  () => ({ body: { data, nextCursor: null } });
const options = {
  challenge: 'c2lnbi1tZQ',
  rp: { id: 'bank.test', name: 'NextGen' },
  user: { id: 'dXNlcg', name: 'ada@example.com', displayName: 'Ada' },
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
};
const credential = {
  id: 'Y3JlZA',
  rawId: 'Y3JlZA',
  type: 'public-key',
  response: { clientDataJSON: 'Y2Q', attestationObject: 'YW8', transports: ['internal'] },
  clientExtensionResults: {},
};
const challenge = {
  challengeId: 'sup_01jf8x3m5n6p7q8r9s0t1v2w3x',
  purpose: 'add_passkey',
  expiresAt: '2026-12-03T10:05:00.000Z',
  publicKey: { challenge: 'YXBwcm92ZQ', rpId: 'bank.test', userVerification: 'required', allowCredentials: [] },
};
const assertion = { id: 'b2xk', rawId: 'b2xk', type: 'public-key', response: { signature: 'c2ln' } };
const cancelled = () => Object.assign(new Error('The operation was cancelled.'), { name: 'NotAllowedError' });
const en = { settings: { language: 'en' as const } };

describe('PasskeysScreen', () => {
  it('shows loading while the list is on its way', async () => {
    const server = fakeServer({ 'GET /api/v1/passkeys': pending });
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api });
    expect(screen.getByRole('progressbar', { name: 'Loading…' })).toBeTruthy();
  });

  it('says there are none yet and still offers to add one', async () => {
    const server = fakeServer({ 'GET /api/v1/passkeys': list() });
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api });
    expect(await screen.findByTestId('passkeys-empty')).toBeTruthy();
    expect(screen.getByTestId('add-passkey')).toBeTruthy();
  });

  it('shows the API’s problem and loads again on retry', async () => {
    const server = fakeServer({
      'GET /api/v1/passkeys': () => problem(503, 'unavailable', 'Passkeys cannot be listed right now.'),
    });
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api });
    expect(await screen.findByText('Passkeys cannot be listed right now.')).toBeTruthy();
    server.answer('GET /api/v1/passkeys', list(phone));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId(`passkey-row-${phone.id}`)).toBeTruthy();
  });

  it('lists each passkey with its name, when it was added and last used', async () => {
    const server = fakeServer({ 'GET /api/v1/passkeys': list(laptop, phone) });
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api });
    const row = within(await screen.findByTestId(`passkey-row-${phone.id}`));
    expect(row.getByText('My phone')).toBeTruthy();
    expect(row.getByText(`Added ${formatDate(phone.createdAt, 'en-GB', { withTime: true })}`)).toBeTruthy();
    expect(
      row.getByText(`Last used ${formatDate('2026-12-01T18:30:00.000Z', 'en-GB', { withTime: true })}`),
    ).toBeTruthy();
    expect(within(screen.getByTestId(`passkey-row-${laptop.id}`)).getByText('Not used yet')).toBeTruthy();
  });

  it('adds a passkey: the options go to the device, its answer and the name to the API, and the list refreshes', async () => {
    const server = fakeServer({
      'GET /api/v1/passkeys': list(phone),
      // Holding a passkey already, the options need an approval with it first.
      'POST /api/v1/passkeys/registration-options': (call) =>
        (call.body as { stepUp?: unknown }).stepUp
          ? { body: options }
          : problem(403, 'step_up_required', 'Approve with a passkey.', { stepUp: challenge }),
      'POST /api/v1/passkeys': () => {
        server.answer('GET /api/v1/passkeys', list(laptop, phone));
        return { status: 201, body: laptop };
      },
    });
    const passkeys = fakePasskeys([assertion, credential]);
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api, passkeys });
    await screen.findByTestId(`passkey-row-${phone.id}`);
    await fireEvent.changeText(screen.getByTestId('passkey-new-name'), ' Laptop ');
    await fireEvent.press(screen.getByTestId('add-passkey'));
    await fireEvent.press(await screen.findByTestId('step-up-approve'));
    expect(await screen.findByText('The passkey was added.')).toBeTruthy();
    expect(await screen.findByTestId(`passkey-row-${laptop.id}`)).toBeTruthy();
    expect(passkeys.asked).toEqual([challenge.publicKey, options]);
    expect(server.calls('POST /api/v1/passkeys/registration-options').map((c) => c.body)).toEqual([
      {},
      { stepUp: { challengeId: challenge.challengeId, assertion } },
    ]);
    expect(server.calls('POST /api/v1/passkeys').map((c) => c.body)).toEqual([{ credential, name: 'Laptop' }]);
    expect(server.calls('GET /api/v1/passkeys').length).toBeGreaterThanOrEqual(2);
  });

  it('says calmly that nothing was added when the person cancels the ceremony', async () => {
    const server = fakeServer({
      'GET /api/v1/passkeys': list(),
      'POST /api/v1/passkeys/registration-options': () => ({ body: options }),
    });
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api, passkeys: fakePasskeys([cancelled()]) });
    await fireEvent.press(await screen.findByTestId('add-passkey'));
    expect(await screen.findByText('Nothing was added. You can add a passkey whenever you like.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(server.calls('POST /api/v1/passkeys')).toHaveLength(0);
  });

  it('signs in again when the first passkey needs a recent sign-in, then asks for the options once more', async () => {
    let answered = 0;
    const server = fakeServer({
      'GET /api/v1/passkeys': list(),
      'POST /api/v1/passkeys/registration-options': () =>
        answered++ === 0 ? problem(401, 'recent_sign_in_required', 'Sign in again to continue.') : { body: options },
      'POST /api/v1/passkeys': () => ({ status: 201, body: laptop }),
    });
    const session = fakeSession();
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api, session, passkeys: fakePasskeys([credential]) });
    await fireEvent.press(await screen.findByTestId('add-passkey'));
    expect(await screen.findByText('The passkey was added.')).toBeTruthy();
    expect(session.asked).toEqual(['reauthenticate']);
    expect(server.calls('POST /api/v1/passkeys/registration-options')).toHaveLength(2);
    expect(server.calls('POST /api/v1/passkeys').map((c) => c.body)).toEqual([{ credential }]);
  });

  it('explains when this device cannot make passkeys', async () => {
    const server = fakeServer({ 'GET /api/v1/passkeys': list(phone) });
    const passkeys = { ...fakePasskeys(), supported: () => false };
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api, passkeys });
    expect(await screen.findByTestId('passkeys-unsupported')).toBeTruthy();
    expect(screen.queryByTestId('add-passkey')).toBeNull();
  });

  it('renames a passkey in place with a PATCH of the new name', async () => {
    const server = fakeServer({
      'GET /api/v1/passkeys': list(phone),
      'PATCH /api/v1/passkeys/:id': (call) => {
        server.answer('GET /api/v1/passkeys', list({ ...phone, name: 'Work phone' }));
        return { body: { ...phone, ...(call.body as object) } };
      },
    });
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api });
    await fireEvent.press(await screen.findByRole('button', { name: 'Rename passkey My phone' }));
    await fireEvent.changeText(screen.getByTestId(`passkey-name-${phone.id}`), 'Work phone ');
    await fireEvent.press(screen.getByTestId(`passkey-save-${phone.id}`));
    expect(await screen.findByText('Work phone')).toBeTruthy();
    const [patch] = server.calls('PATCH /api/v1/passkeys/:id');
    expect(patch?.params).toEqual({ id: phone.id });
    expect(patch?.body).toEqual({ name: 'Work phone' });
  });

  it('shows the API’s objection to a name under the name field', async () => {
    const server = fakeServer({
      'GET /api/v1/passkeys': list(phone),
      'PATCH /api/v1/passkeys/:id': () =>
        problem(400, 'validation_failed', 'The request is invalid.', {
          errors: [{ pointer: '/body/name', detail: 'must not contain control characters' }],
        }),
    });
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api });
    await fireEvent.press(await screen.findByTestId(`passkey-rename-${phone.id}`));
    await fireEvent.changeText(screen.getByTestId(`passkey-name-${phone.id}`), 'Bad\u0007name');
    await fireEvent.press(screen.getByTestId(`passkey-save-${phone.id}`));
    expect(await screen.findByText('must not contain control characters')).toBeTruthy();
    expect(screen.getByTestId(`passkey-name-${phone.id}`).props.accessibilityHint).toBe(
      'Error: must not contain control characters',
    );
  });

  it('revokes only after the confirmation, signing in again when the API asks for it', async () => {
    let answered = 0;
    const server = fakeServer({
      'GET /api/v1/passkeys': list(phone, laptop),
      'DELETE /api/v1/passkeys/:id': (call) => {
        if (answered++ === 0) return problem(401, 'recent_sign_in_required', 'Sign in again to continue.');
        server.answer('GET /api/v1/passkeys', list(laptop));
        return { body: { id: call.params.id, revoked: true } };
      },
    });
    const session = fakeSession();
    await renderInApp(<PasskeysScreen />, { ...en, api: server.api, session });
    await fireEvent.press(await screen.findByTestId(`passkey-revoke-${phone.id}`));
    await fireEvent.press(screen.getByTestId('confirm-cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(server.calls('DELETE /api/v1/passkeys/:id')).toHaveLength(0);

    await fireEvent.press(screen.getByTestId(`passkey-revoke-${phone.id}`));
    expect(
      screen.getByText('“My phone” will never sign you in or approve anything again. This cannot be undone.'),
    ).toBeTruthy();
    await fireEvent.press(screen.getByTestId('confirm-accept'));
    expect(await screen.findByText('The passkey was revoked.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId(`passkey-row-${phone.id}`)).toBeNull());
    expect(session.asked).toEqual(['reauthenticate']);
    expect(server.calls('DELETE /api/v1/passkeys/:id').map((c) => c.params.id)).toEqual([phone.id, phone.id]);
  });

  it('speaks German', async () => {
    const server = fakeServer({ 'GET /api/v1/passkeys': list() });
    await renderInApp(<PasskeysScreen />, { settings: { language: 'de' }, api: server.api });
    expect(await screen.findByRole('button', { name: 'Passkey hinzufügen' })).toBeTruthy();
  });
});
