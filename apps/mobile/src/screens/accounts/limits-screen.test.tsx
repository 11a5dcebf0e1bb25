import { fireEvent, screen } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { LimitsScreen } from './limits-screen';

const verified = {
  submissionId: 'kys_01jf8x3m5n6p7q8r9s0t1v2w3x',
  status: 'verified',
  tier: 2,
  rejectionReason: null,
  submittedAt: '2026-11-26T09:15:02.417Z',
  decidedAt: '2026-11-26T10:15:02.417Z',
  document: null,
};
const notVerified = { ...verified, submissionId: null, status: 'none', tier: null, decidedAt: null, submittedAt: null };
const eur = (amount: string) => ({ amount, currency: 'EUR' });
const limits = {
  kycStatus: 'verified',
  tier: 2,
  day: '2026-11-26',
  limits: [
    {
      currency: 'EUR',
      perTransfer: eur('10000.00'),
      daily: eur('25000.00'),
      usedToday: eur('700.00'),
      remainingToday: eur('24300.00'),
      source: 'override',
    },
  ],
};

function renderLimits(kyc: FakeHandler, limitsRoute: FakeHandler) {
  const server = fakeServer({ 'GET /api/v1/me/kyc': kyc, 'GET /api/v1/me/limits': limitsRoute });
  const onOpenKyc = jest.fn();
  return { server, onOpenKyc, rendered: renderInApp(<LimitsScreen onOpenKyc={onOpenKyc} />, { api: server.api }) };
}

describe('limits and verification', () => {
  it('shows a loading state', async () => {
    await renderLimits(pending, pending).rendered;
    expect(screen.getByRole('progressbar', { name: 'Loading…' })).toBeTruthy();
  });

  it('shows the tier and each currency’s limits with what is used and left today', async () => {
    await renderLimits(
      () => ({ body: verified }),
      () => ({ body: limits }),
    ).rendered;
    expect(await screen.findByText('Tier 2')).toBeTruthy();
    expect(screen.getByText('Verified')).toBeTruthy();
    expect(screen.getByText('Your limits on 26 Nov 2026 (UTC)')).toBeTruthy();
    expect(screen.getByTestId('limit-EUR-perTransfer')).toHaveTextContent('€10,000.00');
    expect(screen.getByTestId('limit-EUR-daily')).toHaveTextContent('€25,000.00');
    expect(screen.getByTestId('limit-EUR-usedToday')).toHaveTextContent('€700.00');
    expect(screen.getByTestId('limit-EUR-remainingToday')).toHaveTextContent('€24,300.00');
    expect(screen.getByText('The bank set these limits for you personally.')).toBeTruthy();
    expect(screen.queryByTestId('kyc-link')).toBeNull();
  });

  it('without verification, has no limits yet and links to verifying', async () => {
    const { rendered, onOpenKyc } = renderLimits(
      () => ({ body: notVerified }),
      () => ({ body: { ...limits, kycStatus: 'none', tier: null, limits: [] } }),
    );
    await rendered;
    expect(await screen.findByTestId('limits-empty')).toBeTruthy();
    expect(screen.getByText(/^Not verified yet/)).toBeTruthy();
    await fireEvent.press(screen.getByRole('link', { name: 'Verify your identity' }));
    expect(onOpenKyc).toHaveBeenCalledTimes(1);
  });

  it('shows the API’s detail when the limits cannot be read, and retries', async () => {
    const { rendered, server } = renderLimits(
      () => ({ body: verified }),
      () => problem(500, 'internal', 'Our fault: try again.'),
    );
    await rendered;
    expect(await screen.findByText('Our fault: try again.', {}, { timeout: 5000 })).toBeTruthy();
    server.answer('GET /api/v1/me/limits', () => ({ body: limits }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('limit-EUR')).toBeTruthy();
  });
});
