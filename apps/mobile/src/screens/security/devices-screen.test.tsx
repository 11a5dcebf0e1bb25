import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { fakeServer, pending, problem } from '../../fake-server';
import { formatDate } from '../../format/dates';
import type { DeviceSession } from '../../queries/sessions';
import { fakeSession, renderInApp } from '../../test-utils';
import { DevicesScreen } from './devices-screen';

const thisPhone: DeviceSession = {
  id: 'ses_01jf8x3m5n6p7q8r9s0t1v2w3x',
  deviceName: 'NextGen/1.0 (iPhone; iOS 18.1)',
  network: '203.0.113.0/24',
  createdAt: '2026-12-02T08:00:00.000Z',
  lastUsedAt: '2026-12-03T06:00:00.000Z',
  current: true,
};
const oldTablet: DeviceSession = {
  id: 'ses_01jf8x3m5n6p7q8r9s0t1v2w3y',
  deviceName: 'NextGen/0.9 (Android 15; Pixel Tablet)',
  network: '198.51.100.0/24',
  createdAt: '2026-11-25T19:00:00.000Z',
  lastUsedAt: '2026-11-28T20:15:00.000Z',
  current: false,
};
const list =
  (...data: DeviceSession[]) =>
  () => ({ body: { data, nextCursor: null } });
const en = { settings: { language: 'en' as const } };

describe('DevicesScreen', () => {
  it('shows loading while the sessions are on their way', async () => {
    const server = fakeServer({ 'GET /api/v1/sessions': pending });
    await renderInApp(<DevicesScreen />, { ...en, api: server.api });
    expect(screen.getByRole('progressbar', { name: 'Loading…' })).toBeTruthy();
  });

  it('says when no device is signed in', async () => {
    const server = fakeServer({ 'GET /api/v1/sessions': list() });
    await renderInApp(<DevicesScreen />, { ...en, api: server.api });
    expect(await screen.findByText('No device is signed in.')).toBeTruthy();
  });

  it('shows the API’s problem and loads again on retry', async () => {
    const server = fakeServer({
      'GET /api/v1/sessions': () => problem(503, 'unavailable', 'Sessions cannot be listed right now.'),
    });
    await renderInApp(<DevicesScreen />, { ...en, api: server.api });
    expect(await screen.findByText('Sessions cannot be listed right now.')).toBeTruthy();
    server.answer('GET /api/v1/sessions', list(thisPhone));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId(`device-row-${thisPhone.id}`)).toBeTruthy();
  });

  it('lists each device with when it signed in and was last active, marking this one', async () => {
    const server = fakeServer({ 'GET /api/v1/sessions': list(thisPhone, oldTablet) });
    await renderInApp(<DevicesScreen />, { ...en, api: server.api });
    const mine = within(await screen.findByTestId(`device-row-${thisPhone.id}`));
    expect(mine.getByText(thisPhone.deviceName)).toBeTruthy();
    expect(mine.getByText('This device')).toBeTruthy();
    expect(mine.queryByRole('button')).toBeNull();
    const other = within(screen.getByTestId(`device-row-${oldTablet.id}`));
    expect(other.queryByText('This device')).toBeNull();
    expect(other.getByText(`Signed in ${formatDate(oldTablet.createdAt, 'en-GB', { withTime: true })}`)).toBeTruthy();
    expect(
      other.getByText(`Last active ${formatDate(oldTablet.lastUsedAt, 'en-GB', { withTime: true })}`),
    ).toBeTruthy();
    expect(other.getByText('Network 198.51.100.0/24')).toBeTruthy();
    expect(server.calls('GET /api/v1/sessions')[0]?.query.get('limit')).toBe('100');
  });

  it('signs another device out only after the confirmation, signing in again when the API asks for it', async () => {
    let answered = 0;
    const server = fakeServer({
      'GET /api/v1/sessions': list(thisPhone, oldTablet),
      'DELETE /api/v1/sessions/:id': (call) => {
        if (answered++ === 0) return problem(401, 'recent_sign_in_required', 'Sign in again to continue.');
        server.answer('GET /api/v1/sessions', list(thisPhone));
        return { body: { id: call.params.id, endedAt: '2026-12-03T07:00:00.000Z' } };
      },
    });
    const session = fakeSession();
    await renderInApp(<DevicesScreen />, { ...en, api: server.api, session });
    await fireEvent.press(await screen.findByRole('button', { name: `Sign out ${oldTablet.deviceName}` }));
    expect(screen.getByTestId('confirm-dialog')).toBeTruthy();
    expect(server.calls('DELETE /api/v1/sessions/:id')).toHaveLength(0);
    await fireEvent.press(screen.getByTestId('confirm-accept'));
    expect(await screen.findByText('The device was signed out.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId(`device-row-${oldTablet.id}`)).toBeNull());
    expect(session.asked).toEqual(['reauthenticate']);
    expect(server.calls('DELETE /api/v1/sessions/:id').map((c) => c.params.id)).toEqual([oldTablet.id, oldTablet.id]);
  });

  it('shows why a sign-out failed', async () => {
    const server = fakeServer({
      'GET /api/v1/sessions': list(thisPhone, oldTablet),
      'DELETE /api/v1/sessions/:id': () => problem(404, 'session_not_found', 'That session has already ended.'),
    });
    await renderInApp(<DevicesScreen />, { ...en, api: server.api });
    await fireEvent.press(await screen.findByTestId(`device-sign-out-${oldTablet.id}`));
    await fireEvent.press(screen.getByTestId('confirm-accept'));
    expect(await screen.findByText('That session has already ended.')).toBeTruthy();
  });

  it('keeps the last list offline and pauses signing out', async () => {
    const server = fakeServer({ 'GET /api/v1/sessions': list(thisPhone, oldTablet) });
    await renderInApp(<DevicesScreen />, { ...en, api: server.api, online: false });
    const button = await screen.findByTestId(`device-sign-out-${oldTablet.id}`);
    expect(button).toBeDisabled();
    expect(button.props.accessibilityHint).toBe('You are offline. Changes are paused until you are back online.');
  });

  it('speaks German', async () => {
    const server = fakeServer({ 'GET /api/v1/sessions': list(thisPhone) });
    await renderInApp(<DevicesScreen />, { settings: { language: 'de' }, api: server.api });
    expect(await screen.findByText('Dieses Gerät')).toBeTruthy();
  });
});
