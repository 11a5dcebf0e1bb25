import { fireEvent, screen } from '@testing-library/react-native';
import { Text } from 'react-native';
import { money } from '../format/money';
import { renderInApp } from '../test-utils';
import { Amount, Banner, Button, OfflineBanner, Screen, TextField } from './index';

const plain = (s: string | undefined) => s?.replace(/[\u00a0\u202f]/g, ' ');

describe('Screen', () => {
  it('shows a spinner and no content while loading', async () => {
    await renderInApp(
      <Screen title="Accounts" state={{ status: 'loading' }}>
        <Text>content</Text>
      </Screen>,
    );
    expect(screen.getByRole('progressbar', { name: 'Loading…' })).toBeTruthy();
    expect(screen.queryByText('content')).toBeNull();
  });
  it('says it waits for the network instead of spinning while offline with nothing cached', async () => {
    await renderInApp(
      <Screen title="Accounts" state={{ status: 'loading' }}>
        <Text>content</Text>
      </Screen>,
      { online: false, settings: { language: 'en' } },
    );
    expect(screen.getByTestId('screen-offline')).toHaveTextContent(
      'You are offline. This appears once you are back online.',
    );
    expect(screen.queryByRole('progressbar')).toBeNull();
  });
  it('shows the problem’s detail and a retry button on error', async () => {
    const onRetry = jest.fn();
    await renderInApp(<Screen title="Accounts" state={{ status: 'error', detail: 'The bank is busy.', onRetry }} />, {
      settings: { language: 'de' },
    });
    expect(screen.getByText('Etwas ist schiefgelaufen')).toBeTruthy();
    expect(screen.getByRole('alert')).toHaveTextContent('The bank is busy.');
    await fireEvent.press(screen.getByRole('button', { name: 'Erneut versuchen' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });
  it('shows the empty message', async () => {
    await renderInApp(<Screen title="Payees" state={{ status: 'empty', message: 'No payees yet.' }} />);
    expect(screen.getByText('No payees yet.')).toBeTruthy();
  });
  it('shows its heading and children when ready', async () => {
    await renderInApp(
      <Screen title="Accounts">
        <Text>content</Text>
      </Screen>,
    );
    expect(screen.getByRole('heading', { name: 'Accounts' })).toBeTruthy();
    expect(screen.getByText('content')).toBeTruthy();
  });
});

describe('Button', () => {
  it('is a button with its label that presses', async () => {
    const onPress = jest.fn();
    await renderInApp(<Button label="Send" onPress={onPress} />);
    await fireEvent.press(screen.getByRole('button', { name: 'Send' }));
    expect(onPress).toHaveBeenCalledTimes(1);
  });
  it('does not press when disabled, and says why', async () => {
    const onPress = jest.fn();
    await renderInApp(<Button label="Send" onPress={onPress} disabled disabledReason="You are offline" />);
    const button = screen.getByRole('button', { name: 'Send' });
    expect(button).toBeDisabled();
    expect(button.props.accessibilityHint).toBe('You are offline');
    await fireEvent.press(button);
    expect(onPress).not.toHaveBeenCalled();
  });
  it('is busy and unpressable while its action runs', async () => {
    const onPress = jest.fn();
    await renderInApp(<Button label="Send" onPress={onPress} busy />);
    const button = screen.getByRole('button', { name: 'Send' });
    expect(button).toBeBusy();
    await fireEvent.press(button);
    expect(onPress).not.toHaveBeenCalled();
  });
});

describe('TextField', () => {
  it('shows the API’s field error and announces it', async () => {
    await renderInApp(<TextField label="Amount" value="12.345" error="Use at most 2 decimal places." />);
    const input = screen.getByLabelText('Amount');
    expect(screen.getByRole('alert')).toHaveTextContent('Use at most 2 decimal places.');
    expect(input.props.accessibilityHint).toBe('Error: Use at most 2 decimal places.');
    expect(input.props['aria-invalid']).toBe(true);
  });
  it('shows its hint when there is no error', async () => {
    const onChangeText = jest.fn();
    await renderInApp(<TextField label="Reference" hint="Shown to the payee" onChangeText={onChangeText} />);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByText('Shown to the payee')).toBeTruthy();
    await fireEvent.changeText(screen.getByLabelText('Reference'), 'Rent');
    expect(onChangeText).toHaveBeenCalledWith('Rent');
  });
});

describe('Amount', () => {
  it('formats in the user’s locale and the currency’s digits', async () => {
    await renderInApp(<Amount testID="a" value={money(123456n, 'EUR')} />, { settings: { language: 'de' } });
    expect(plain(screen.getByTestId('a').props.accessibilityLabel)).toBe('1.234,56 €');
  });
  it('marks credits in a movement list', async () => {
    await renderInApp(<Amount testID="a" value={money(1000n, 'JPY')} movement />);
    expect(screen.getByTestId('a')).toHaveTextContent('+JP¥1,000');
  });
});

describe('Banner and offline', () => {
  it('announces a banner as an alert', async () => {
    await renderInApp(<Banner message="Check the IBAN." tone="danger" />);
    expect(screen.getByRole('alert')).toHaveTextContent('Check the IBAN.');
  });
  it('shows the offline banner only while offline', async () => {
    await renderInApp(<OfflineBanner />, { online: true });
    expect(screen.queryByTestId('offline-banner')).toBeNull();
    await renderInApp(<OfflineBanner />, { online: false });
    expect(screen.getByTestId('offline-banner')).toHaveTextContent(/You are offline/);
  });
});

describe('dynamic type', () => {
  it('lets the system scale text, up to 2×', async () => {
    await renderInApp(<Button label="Send" onPress={() => {}} />);
    const label = screen.getByText('Send');
    expect(label.props.allowFontScaling).toBe(true);
    expect(label.props.maxFontSizeMultiplier).toBe(2);
  });
});
