import { fireEvent, screen, within } from '@testing-library/react-native';
import { type FakeHandler, fakeServer, pending, problem } from '../../fake-server';
import { renderInApp } from '../../test-utils';
import { plain } from '../accounts/fixtures';
import { recurring } from './fixtures';
import { RecurringScreen } from './recurring-screen';

const [streamFlix, gym, salary] = recurring as [(typeof recurring)[0], (typeof recurring)[0], (typeof recurring)[0]];

/** The test ids of a section's rows, in order. */
const rowsOf = (section: ReturnType<typeof screen.getByTestId>) =>
  within(section)
    .getAllByRole('listitem')
    .map((row) => row.props.testID);

async function renderRecurring(handler: FakeHandler, language: 'en' | 'de' = 'en') {
  const server = fakeServer({ 'GET /api/v1/recurring-payments': handler });
  await renderInApp(<RecurringScreen />, { api: server.api, settings: { language } });
  return server;
}

describe('regular payments', () => {
  it('shows a spinner while they load', async () => {
    await renderRecurring(pending);
    expect(screen.getByRole('progressbar')).toBeTruthy();
  });

  it('shows the API’s detail when they fail, and retries', async () => {
    const server = await renderRecurring(() => problem(500, 'internal', 'Our fault.'));
    expect(await screen.findByText('Our fault.')).toBeTruthy();
    server.answer('GET /api/v1/recurring-payments', () => ({ body: { data: recurring } }));
    await fireEvent.press(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId(`recurring-${streamFlix.id}`)).toBeTruthy();
    expect(server.calls('GET /api/v1/recurring-payments')).toHaveLength(2);
  });

  it('says so when none were found', async () => {
    await renderRecurring(() => ({ body: { data: [] } }));
    expect(await screen.findByText(/^No regular payments found yet\./)).toBeTruthy();
    expect(screen.queryByTestId('recurring-active')).toBeNull();
    expect(screen.queryByTestId('recurring-inactive')).toBeNull();
  });

  it('shows each series with its category, rhythm, average and last amount and next date', async () => {
    await renderRecurring(() => ({ body: { data: recurring } }));
    const row = await screen.findByTestId(`recurring-${streamFlix.id}`);
    expect(row.props.accessibilityLabel).toBe(
      'StreamFlix: Subscriptions, Monthly, money out, €9.99 on average. Last €9.99 on 3 Dec 2026. Next expected on 3 Jan 2027.',
    );
    expect(within(row).getByText('StreamFlix')).toBeTruthy();
    expect(within(row).getByText('Subscriptions · Monthly · money out')).toBeTruthy();
    expect(within(row).getByText('Last €9.99 on 3 Dec 2026')).toBeTruthy();
    expect(screen.getByTestId(`recurring-next-${streamFlix.id}`)).toHaveTextContent('Next expected on 3 Jan 2027');
    // Money out reads as a debit, income as a credit; the last amount may differ from the average.
    expect(screen.getByTestId(`recurring-average-${streamFlix.id}`)).toHaveTextContent('-€9.99');
    expect(screen.getByTestId(`recurring-average-${salary.id}`)).toHaveTextContent('+€2,450.00');
    expect(screen.getByTestId(`recurring-${salary.id}`).props.accessibilityLabel).toBe(
      'A*** C***: Income, Monthly, money in, €2,450.00 on average. Last €2,500.00 on 28 Dec 2026. Next expected on 28 Jan 2027.',
    );
  });

  it('lists the active series first and the stopped ones apart, marked as no longer active', async () => {
    await renderRecurring(() => ({ body: { data: recurring } }));
    const active = await screen.findByTestId('recurring-active');
    const inactive = screen.getByTestId('recurring-inactive');
    expect(within(active).getByRole('heading', { name: 'Active' })).toBeTruthy();
    expect(rowsOf(active)).toEqual([`recurring-${streamFlix.id}`, `recurring-${salary.id}`]);
    expect(within(inactive).getByRole('heading', { name: 'No longer active' })).toBeTruthy();
    expect(within(inactive).getByText(/^The last two expected payments did not come/)).toBeTruthy();
    expect(rowsOf(inactive)).toEqual([`recurring-${gym.id}`]);
    expect(screen.getByTestId(`recurring-${gym.id}`).props.accessibilityLabel).toBe(
      'Gym Plus, no longer active: Health, Monthly, money out, €29.00 on average. Last €29.00 on 15 Sept 2026. If it resumes: next due on 15 Jan 2027.',
    );
    expect(screen.getByTestId(`recurring-next-${gym.id}`)).toHaveTextContent('If it resumes: next due on 15 Jan 2027');
  });

  it('leaves out the stopped section when every series is active', async () => {
    await renderRecurring(() => ({ body: { data: [streamFlix] } }));
    expect(await screen.findByTestId('recurring-active')).toBeTruthy();
    expect(screen.queryByTestId('recurring-inactive')).toBeNull();
  });

  it('speaks German', async () => {
    await renderRecurring(() => ({ body: { data: recurring } }), 'de');
    expect(await screen.findByRole('heading', { name: 'Regelmäßige Zahlungen' })).toBeTruthy();
    expect(plain(screen.getByTestId(`recurring-${streamFlix.id}`).props.accessibilityLabel)).toBe(
      'StreamFlix: Abos, Monatlich, Ausgang, im Schnitt 9,99 €. Zuletzt 9,99 € am 03.12.2026. Nächste erwartet am 03.01.2027.',
    );
    expect(screen.getByRole('heading', { name: 'Nicht mehr aktiv' })).toBeTruthy();
    expect(plain(screen.getByTestId(`recurring-${gym.id}`).props.accessibilityLabel)).toMatch(
      /^Gym Plus, nicht mehr aktiv: Gesundheit, Monatlich, Ausgang, im Schnitt 29,00 €\./,
    );
  });
});
