import { ApiProblem } from '@nextgen/api-client';
import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { fakeServer, pending, problem } from '../../fake-server';
import { fakeSession, renderInApp } from '../../test-utils';
import { KycBanner } from './kyc-banner';
import { KycScreen } from './kyc-screen';
import { RegisterScreen } from './register-screen';
import { SignInScreen } from './sign-in-screen';

const en = { settings: { language: 'en' as const } };

describe('sign-in', () => {
  it('hands over to the sign-in and shows why the customer is back', async () => {
    const session = fakeSession({
      status: 'signed-out',
      notice: {
        code: 'inactive',
        error: new ApiProblem(401, {
          code: 'customer_inactive',
          detail: 'Your access to NextGen is locked by the bank.',
        }),
      },
    });
    await renderInApp(<SignInScreen onRegister={() => {}} />, { ...en, session });
    expect(screen.getByTestId('session-notice')).toHaveTextContent(
      'You were signed out: Your access to NextGen is locked by the bank.',
    );
    await fireEvent.press(screen.getByRole('button', { name: 'Sign in' }));
    expect(session.asked).toEqual(['signIn']);
  });

  it('offers registration unless the device cannot keep a key', async () => {
    const onRegister = jest.fn();
    await renderInApp(<SignInScreen onRegister={onRegister} />, {
      ...en,
      session: fakeSession({ status: 'signed-out' }),
    });
    await fireEvent.press(screen.getByTestId('register-link'));
    expect(onRegister).toHaveBeenCalled();

    await renderInApp(<SignInScreen onRegister={onRegister} />, {
      ...en,
      session: fakeSession({
        status: 'signed-out',
        notice: { code: 'device-unavailable', error: new Error('no IndexedDB') },
      }),
    });
    expect(screen.queryByTestId('register-link')).toBeNull();
    expect(screen.getByTestId('session-notice')).toHaveTextContent(/cannot keep NextGen's security key/);
  });

  it('speaks German', async () => {
    await renderInApp(<SignInScreen />, {
      settings: { language: 'de' },
      session: fakeSession({ status: 'signed-out' }),
    });
    expect(screen.getByRole('button', { name: 'Anmelden' })).toBeTruthy();
  });
});

describe('registration', () => {
  const customer = {
    id: 'cus_01jf8x3m5n6p7q8r9s0t1v2w3x',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: null,
    address: null,
    createdAt: '2026-12-03T08:00:00.000Z',
  };
  const fill = async () => {
    await fireEvent.changeText(screen.getByTestId('register-name'), ' Ada Lovelace ');
    await fireEvent.changeText(screen.getByTestId('register-email'), 'ada@example.com');
    await fireEvent.changeText(screen.getByTestId('register-password'), 'correct horse battery');
  };

  it('registers, then offers the sign-in that leads to verification', async () => {
    const server = fakeServer({ 'POST /api/v1/customers': () => ({ status: 201, body: customer }) });
    const session = fakeSession({ status: 'signed-out' });
    await renderInApp(<RegisterScreen />, { ...en, api: server.api, session });
    await fill();
    await fireEvent.press(screen.getByTestId('register-submit'));
    expect(await screen.findByTestId('register-done')).toHaveTextContent(/Sign in with ada@example.com/);
    expect(server.calls('POST /api/v1/customers')[0]?.body).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      password: 'correct horse battery',
    });
    await fireEvent.press(screen.getByTestId('register-sign-in'));
    expect(session.asked).toEqual(['signIn']);
  });

  it('says which fields are empty without calling the API', async () => {
    const server = fakeServer({});
    await renderInApp(<RegisterScreen />, { ...en, api: server.api, session: fakeSession({ status: 'signed-out' }) });
    await fireEvent.press(screen.getByTestId('register-submit'));
    expect(screen.getAllByText('Fill in this field.')).toHaveLength(3);
    expect(server.calls()).toHaveLength(0);
  });

  it('shows each broken password rule at the password, translated', async () => {
    const server = fakeServer({
      'POST /api/v1/customers': () =>
        problem(400, 'weak_password', 'Choose a stronger password.', {
          errors: [
            { pointer: '/body/password', detail: 'too common', rule: 'common' },
            { pointer: '/body/password', detail: 'contains your name', rule: 'personal_data' },
          ],
        }),
    });
    await renderInApp(<RegisterScreen />, {
      settings: { language: 'de' },
      api: server.api,
      session: fakeSession({ status: 'signed-out' }),
    });
    await fill();
    await fireEvent.press(screen.getByTestId('register-submit'));
    expect(await screen.findByText(/zu verbreitet.*Verwenden Sie weder Ihren Namen/)).toBeTruthy();
    expect(screen.queryByTestId('register-error')).toBeNull();
  });

  it('says at the e-mail that it is taken, and other problems above the form', async () => {
    const server = fakeServer({
      'POST /api/v1/customers': () =>
        problem(409, 'email_taken', 'This e-mail address is already registered. Sign in instead.'),
    });
    await renderInApp(<RegisterScreen />, { ...en, api: server.api, session: fakeSession({ status: 'signed-out' }) });
    await fill();
    await fireEvent.press(screen.getByTestId('register-submit'));
    expect(await screen.findByText('This e-mail address is already registered. Sign in instead.')).toBeTruthy();
    expect(screen.queryByTestId('register-error')).toBeNull();

    server.answer('POST /api/v1/customers', () =>
      problem(429, 'rate_limited', 'Too many registrations from your network. Try again in an hour.'),
    );
    await fireEvent.press(screen.getByTestId('register-submit'));
    expect(await screen.findByTestId('register-error')).toHaveTextContent(/Too many registrations/);
  });

  it('waits for the network before submitting', async () => {
    await renderInApp(<RegisterScreen />, {
      ...en,
      online: false,
      api: fakeServer().api,
      session: fakeSession({ status: 'signed-out' }),
    });
    expect(screen.getByTestId('register-submit')).toBeDisabled();
  });
});

describe('identity verification', () => {
  const none = {
    submissionId: null,
    status: 'none',
    tier: null,
    rejectionReason: null,
    submittedAt: null,
    decidedAt: null,
    document: null,
  };
  const pendingKyc = {
    ...none,
    submissionId: 'kys_01jf8x3m5n6p7q8r9s0t1v2w3x',
    status: 'pending',
    submittedAt: '2026-11-26T09:15:02.417Z',
    document: {
      type: 'passport',
      legalName: 'A** L*******',
      number: '****0T47',
      issuingCountry: 'GB',
      nationality: 'GB',
      expiresOn: '2036-05-31',
      dateOfBirth: '1990-**-**',
    },
  };

  it('shows loading, then an error with a retry that works', async () => {
    const server = fakeServer({ 'GET /api/v1/me/kyc': pending });
    await renderInApp(<KycScreen onContinue={() => {}} />, { ...en, api: server.api });
    expect(screen.getByRole('progressbar')).toBeTruthy();

    const failing = fakeServer({
      'GET /api/v1/me/kyc': () => problem(503, 'unavailable', 'The bank is busy. Try again shortly.'),
    });
    await renderInApp(<KycScreen onContinue={() => {}} />, { ...en, api: failing.api });
    expect(await screen.findByText('The bank is busy. Try again shortly.')).toBeTruthy();
    failing.answer('GET /api/v1/me/kyc', () => ({ body: none }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('kyc-form')).toBeTruthy();
  });

  it('submits the document details and shows the pending state', async () => {
    const server = fakeServer({
      'GET /api/v1/me/kyc': () => ({ body: none }),
      'PUT /api/v1/me/kyc': () => ({ body: pendingKyc }),
    });
    await renderInApp(<KycScreen onContinue={() => {}} />, { ...en, api: server.api });
    await screen.findByTestId('kyc-form');
    await fireEvent.changeText(screen.getByTestId('kyc-legalName'), 'Ada Lovelace');
    await fireEvent.press(screen.getByRole('radio', { name: 'National ID card' }));
    await fireEvent.changeText(screen.getByTestId('kyc-documentNumber'), 'c01x00t47');
    await fireEvent.changeText(screen.getByTestId('kyc-issuingCountry'), 'gb');
    await fireEvent.changeText(screen.getByTestId('kyc-expiresOn'), '2036-05-31');
    await fireEvent.changeText(screen.getByTestId('kyc-dateOfBirth'), '1990-12-10');
    await fireEvent.changeText(screen.getByTestId('kyc-nationality'), 'GB');
    await fireEvent.press(screen.getByTestId('kyc-submit'));
    expect(await screen.findByTestId('kyc-pending')).toHaveTextContent(/Passport ending 0T47/);
    expect(server.calls('PUT /api/v1/me/kyc')[0]?.body).toEqual({
      legalName: 'Ada Lovelace',
      documentType: 'national_id',
      documentNumber: 'C01X00T47',
      issuingCountry: 'GB',
      expiresOn: '2036-05-31',
      dateOfBirth: '1990-12-10',
      nationality: 'GB',
    });
  });

  it('shows the API field errors next to their fields', async () => {
    const server = fakeServer({
      'GET /api/v1/me/kyc': () => ({ body: none }),
      'PUT /api/v1/me/kyc': () =>
        problem(422, 'document_expired', 'The document has expired.', {
          errors: [{ pointer: '/body/expiresOn', detail: 'The expiry date must be after today.' }],
        }),
    });
    await renderInApp(<KycScreen onContinue={() => {}} />, { ...en, api: server.api });
    await fireEvent.press(await screen.findByTestId('kyc-submit'));
    expect(await screen.findByText('The expiry date must be after today.')).toBeTruthy();
    expect(screen.getByTestId('kyc-expiresOn').props['aria-invalid']).toBe(true);
    expect(screen.queryByTestId('kyc-error')).toBeNull();
  });

  it('shows verified with its tier, and a rejection with its reason and a resubmission', async () => {
    const verified = fakeServer({
      'GET /api/v1/me/kyc': () => ({ body: { ...pendingKyc, status: 'verified', tier: 2 } }),
    });
    const onContinue = jest.fn();
    await renderInApp(<KycScreen onContinue={onContinue} />, { ...en, api: verified.api });
    expect(await screen.findByText('Verification level 2. Your limits depend on it.')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('kyc-continue'));
    expect(onContinue).toHaveBeenCalled();

    const rejected = fakeServer({
      'GET /api/v1/me/kyc': () => ({
        body: { ...pendingKyc, status: 'rejected', rejectionReason: 'document_expired' },
      }),
    });
    await renderInApp(<KycScreen onContinue={() => {}} />, { settings: { language: 'de' }, api: rejected.api });
    expect(await screen.findByText('Grund: das Dokument ist abgelaufen.')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('kyc-resubmit'));
    expect(screen.getByTestId('kyc-form')).toBeTruthy();
  });

  it('offers no resubmission when the customer is not eligible', async () => {
    const server = fakeServer({
      'GET /api/v1/me/kyc': () => ({ body: { ...pendingKyc, status: 'rejected', rejectionReason: 'not_eligible' } }),
    });
    await renderInApp(<KycScreen onContinue={() => {}} />, { ...en, api: server.api });
    expect(await screen.findByText(/We cannot open a banking relationship/)).toBeTruthy();
    expect(screen.queryByTestId('kyc-resubmit')).toBeNull();
  });

  it('asks for verification above the tabs only while the customer can act on it', async () => {
    const unverified = fakeServer({ 'GET /api/v1/me/kyc': () => ({ body: none }) });
    const onOpen = jest.fn();
    await renderInApp(<KycBanner onOpen={onOpen} />, { ...en, api: unverified.api });
    await fireEvent.press(await screen.findByTestId('kyc-banner'));
    expect(onOpen).toHaveBeenCalled();

    const waiting = fakeServer({ 'GET /api/v1/me/kyc': () => ({ body: pendingKyc }) });
    await renderInApp(<KycBanner onOpen={onOpen} />, { ...en, api: waiting.api });
    await waitFor(() => expect(waiting.calls('GET /api/v1/me/kyc')).toHaveLength(1));
    expect(screen.queryByTestId('kyc-banner')).toBeNull();
  });
});
