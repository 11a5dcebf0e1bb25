import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { Platform, Share } from 'react-native';
import { fakeServer, pending, problem } from '../../fake-server';
import type { PersonalDataExport, Profile } from '../../queries/profile';
import { fakeSession, renderInApp } from '../../test-utils';
import { changesOf, draftOf } from './profile-draft';
import { ProfileScreen } from './profile-screen';

const ada: Profile = {
  id: 'cus_01jf8x3m5n6p7q8r9s0t1v2w3x',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: null,
  address: null,
  createdAt: '2026-11-26T09:00:00.000Z',
};
const exported: PersonalDataExport = {
  format: 'nextgen-personal-data-export/1',
  exportedAt: '2026-12-03T07:00:00.000Z',
  customer: ada,
  accounts: [{ id: 'acc_1' }],
  transactions: [{ id: 'txn_1' }, { id: 'txn_2' }],
  transactionsTruncated: false,
  passkeys: [{ id: 'pky_1' }],
  payees: [],
  sessions: [{ id: 'ses_1' }, { id: 'ses_2' }],
};
const en = { settings: { language: 'en' as const } };
const field = (name: string) => screen.getByTestId(`profile-${name}`);

function profileServer(routes: Parameters<typeof fakeServer>[0] = {}) {
  return fakeServer({ 'GET /api/v1/customers/me': () => ({ body: ada }), ...routes });
}

describe('ProfileScreen', () => {
  it('shows loading while the profile is on its way', async () => {
    const server = fakeServer({ 'GET /api/v1/customers/me': pending });
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    expect(screen.getByRole('progressbar', { name: 'Loading…' })).toBeTruthy();
  });

  it('shows the API’s problem and loads again on retry', async () => {
    const server = fakeServer({
      'GET /api/v1/customers/me': () => problem(410, 'customer_erased', 'Your personal data was erased.'),
    });
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    expect(await screen.findByText('Your personal data was erased.')).toBeTruthy();
    server.answer('GET /api/v1/customers/me', () => ({ body: ada }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect((await screen.findByTestId('profile-name')).props.value).toBe('Ada Lovelace');
  });

  it('shows the profile in its fields, the empty ones empty', async () => {
    await renderInApp(<ProfileScreen />, { ...en, api: profileServer().api });
    expect((await screen.findByTestId('profile-email')).props.value).toBe('ada@example.com');
    expect(field('phone').props.value).toBe('');
    expect(screen.getByLabelText('Street and number')).toBeTruthy();
  });

  it('sends only what changed and shows it saved', async () => {
    const server = profileServer({
      'PATCH /api/v1/customers/me': (call) => ({ body: { ...ada, ...(call.body as object) } }),
    });
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    await fireEvent.changeText(await screen.findByTestId('profile-phone'), '+49 30 123456');
    await fireEvent.changeText(field('line1'), '12 Analytical Street');
    await fireEvent.changeText(field('postalCode'), '10115');
    await fireEvent.changeText(field('city'), 'Berlin');
    await fireEvent.changeText(field('country'), 'de');
    await fireEvent.press(screen.getByTestId('profile-save'));
    expect(await screen.findByText('Your profile was saved.')).toBeTruthy();
    expect(server.calls('PATCH /api/v1/customers/me').map((c) => c.body)).toEqual([
      {
        phone: '+4930123456',
        address: { line1: '12 Analytical Street', postalCode: '10115', city: 'Berlin', country: 'DE' },
      },
    ]);
  });

  it('sends nothing when nothing changed', async () => {
    const server = profileServer();
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    await fireEvent.press(await screen.findByTestId('profile-save'));
    expect(screen.getByTestId('profile-unchanged')).toBeTruthy();
    expect(server.calls('PATCH /api/v1/customers/me')).toHaveLength(0);
  });

  it('shows each field error under its field', async () => {
    const server = profileServer({
      'PATCH /api/v1/customers/me': () =>
        problem(400, 'validation_failed', 'The request is invalid.', {
          errors: [
            { pointer: '/body/phone', detail: 'must be in E.164 format' },
            { pointer: '/body/address/city', detail: 'is required' },
          ],
        }),
    });
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    await fireEvent.changeText(await screen.findByTestId('profile-phone'), '030 123');
    await fireEvent.changeText(field('line1'), '12 Analytical Street');
    await fireEvent.press(screen.getByTestId('profile-save'));
    expect(await screen.findByText('must be in E.164 format')).toBeTruthy();
    expect(field('phone').props.accessibilityHint).toBe('Error: must be in E.164 format');
    expect(field('city').props.accessibilityHint).toBe('Error: is required');
    expect(field('name').props.accessibilityHint).toBeUndefined();
    expect(screen.getByText('Check the marked fields.')).toBeTruthy();
  });

  it('puts an e-mail someone else holds at the e-mail field', async () => {
    const server = profileServer({
      'PATCH /api/v1/customers/me': () => problem(409, 'email_taken', 'Another customer uses this e-mail address.'),
    });
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    await fireEvent.changeText(await screen.findByTestId('profile-email'), 'grace@example.com');
    await fireEvent.press(screen.getByTestId('profile-save'));
    await waitFor(() =>
      expect(field('email').props.accessibilityHint).toBe('Error: Another customer uses this e-mail address.'),
    );
  });

  it('signs in again when a new e-mail needs a recent sign-in, then saves it', async () => {
    let answered = 0;
    const server = profileServer({
      'PATCH /api/v1/customers/me': (call) =>
        answered++ === 0
          ? problem(401, 'recent_sign_in_required', 'Sign in again to change your e-mail address.')
          : { body: { ...ada, ...(call.body as object) } },
    });
    const session = fakeSession();
    await renderInApp(<ProfileScreen />, { ...en, api: server.api, session });
    await fireEvent.changeText(await screen.findByTestId('profile-email'), ' ada@lovelace.example ');
    await fireEvent.press(screen.getByTestId('profile-save'));
    expect(await screen.findByText('Your profile was saved.')).toBeTruthy();
    expect(session.asked).toEqual(['reauthenticate']);
    expect(server.calls('PATCH /api/v1/customers/me').map((c) => c.body)).toEqual([
      { email: 'ada@lovelace.example' },
      { email: 'ada@lovelace.example' },
    ]);
  });
});

describe('personal data export', () => {
  afterEach(() => jest.restoreAllMocks());

  it('shares the export on a phone and says what it holds', async () => {
    const share = jest.spyOn(Share, 'share').mockResolvedValue({ action: Share.sharedAction });
    const server = profileServer({ 'GET /api/v1/customers/me/export': () => ({ body: exported }) });
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    await fireEvent.press(await screen.findByTestId('export-data'));
    expect(await screen.findByTestId('export-summary')).toBeTruthy();
    expect(share).toHaveBeenCalledTimes(1);
    const [content] = share.mock.calls[0] ?? [];
    expect(JSON.parse((content as { message: string }).message)).toEqual(exported);
    expect(screen.getByLabelText('Accounts: 1')).toBeTruthy();
    expect(screen.getByLabelText('Transactions: 2')).toBeTruthy();
    expect(screen.getByLabelText('Signed-in devices: 2')).toBeTruthy();
    expect(screen.getByLabelText('Payees: 0')).toBeTruthy();
    expect(screen.getByText(/^Export of .+, \d+(\.\d)? kB$/)).toBeTruthy();
  });

  it('downloads the export as a file on the web', async () => {
    const share = jest.spyOn(Share, 'share');
    const link = { href: '', download: '', rel: '', click: jest.fn(), remove: jest.fn() };
    const fakeDocument = {
      createElement: jest.fn(() => link),
      body: { appendChild: jest.fn() },
      documentElement: { lang: '' },
    };
    const blobs: Blob[] = [];
    jest.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return 'blob:https://bank.test/export';
    });
    jest.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const server = profileServer({ 'GET /api/v1/customers/me/export': () => ({ body: exported }) });
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    const button = await screen.findByTestId('export-data');
    jest.replaceProperty(Platform, 'OS', 'web');
    Object.assign(globalThis, { document: fakeDocument });
    try {
      await fireEvent.press(button);
      expect(await screen.findByText('Downloaded as nextgen-personal-data-2026-12-03.json.')).toBeTruthy();
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }
    expect(fakeDocument.createElement).toHaveBeenCalledWith('a');
    expect(link).toMatchObject({
      href: 'blob:https://bank.test/export',
      download: 'nextgen-personal-data-2026-12-03.json',
    });
    expect(link.click).toHaveBeenCalledTimes(1);
    expect(JSON.parse((await blobs[0]?.text()) ?? '')).toEqual(exported);
    expect(share).not.toHaveBeenCalled();
  });

  it('shows why an export failed', async () => {
    const server = profileServer({
      'GET /api/v1/customers/me/export': () => problem(503, 'unavailable', 'The export is not available right now.'),
    });
    await renderInApp(<ProfileScreen />, { ...en, api: server.api });
    await fireEvent.press(await screen.findByTestId('export-data'));
    expect(await screen.findByText('The export is not available right now.')).toBeTruthy();
  });
});

describe('changesOf', () => {
  const berlin = { line1: '12 Analytical Street', postalCode: '10115', city: 'Berlin', country: 'DE' };

  it('removes a phone and an address that were emptied', () => {
    const profile = { ...ada, phone: '+4930123456', address: berlin };
    const draft = { ...draftOf(profile), phone: ' ', line1: '', postalCode: '', city: '', country: '' };
    expect(changesOf(profile, draft)).toEqual({ phone: null, address: null });
  });

  it('sends a partly filled address as typed so the API can point at the missing line', () => {
    expect(changesOf(ada, { ...draftOf(ada), city: 'Berlin' })).toEqual({
      address: { line1: '', postalCode: '', city: 'Berlin', country: '' },
    });
  });

  it('sees no change in an address typed as it was', () => {
    const profile = { ...ada, address: berlin };
    expect(changesOf(profile, { ...draftOf(profile), country: 'de' })).toEqual({});
  });
});
