import { act, fireEvent, screen, waitFor } from '@testing-library/react-native';
import { AppState, type AppStateStatus, Text } from 'react-native';
import { fakeBiometrics, renderInApp } from '../test-utils';
import { AppLockOffer } from './app-lock-offer';

const balance = <Text>Balance 1,234.56</Text>;

function captureAppState(): (state: AppStateStatus) => Promise<void> {
  const listeners: ((state: AppStateStatus) => void)[] = [];
  jest.spyOn(AppState, 'addEventListener').mockImplementation((_type, listener) => {
    listeners.push(listener as (state: AppStateStatus) => void);
    return { remove: () => {} } as ReturnType<typeof AppState.addEventListener>;
  });
  return (state) =>
    act(async () => {
      for (const listener of listeners) listener(state);
    });
}

afterEach(() => jest.restoreAllMocks());

describe('app lock', () => {
  it('keeps the content unmounted until the biometric succeeds', async () => {
    const biometrics = fakeBiometrics(true, [true]);
    await renderInApp(balance, { settings: { appLock: 'on' }, biometrics });
    await waitFor(() => expect(screen.getByText('Balance 1,234.56')).toBeTruthy());
    expect(biometrics.prompts).toBe(1);
    expect(screen.queryByTestId('lock-screen')).toBeNull();
  });

  it('offers a retry after a failure, and unlocks on the retry', async () => {
    const biometrics = fakeBiometrics(true, [false, true]);
    await renderInApp(balance, { settings: { appLock: 'on' }, biometrics });
    const retry = await screen.findByRole('button', { name: 'Try again' });
    expect(screen.getByRole('alert')).toHaveTextContent(/sign in with your password/);
    expect(screen.queryByText('Balance 1,234.56')).toBeNull();
    await fireEvent.press(retry);
    await waitFor(() => expect(screen.getByText('Balance 1,234.56')).toBeTruthy());
    expect(biometrics.prompts).toBe(2);
  });

  it('falls back to the password sign-in, turning the lock off, never just opening', async () => {
    const onPasswordFallback = jest.fn();
    await renderInApp(balance, {
      settings: { appLock: 'on' },
      biometrics: fakeBiometrics(true, [false]),
      onPasswordFallback,
    });
    await fireEvent.press(await screen.findByRole('button', { name: 'Sign in with your password' }));
    expect(onPasswordFallback).toHaveBeenCalledTimes(1);
  });

  it('stays locked when the biometric is gone from the device', async () => {
    const biometrics = fakeBiometrics(false);
    await renderInApp(balance, { settings: { appLock: 'on' }, biometrics });
    expect(await screen.findByRole('button', { name: 'Sign in with your password' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Unlock' })).toBeNull();
    expect(screen.queryByText('Balance 1,234.56')).toBeNull();
    expect(biometrics.prompts).toBe(0);
  });

  it('locks again when the app goes to the background', async () => {
    const emit = captureAppState();
    await renderInApp(balance, { settings: { appLock: 'on' }, biometrics: fakeBiometrics(true, [true, false]) });
    await waitFor(() => expect(screen.getByText('Balance 1,234.56')).toBeTruthy());
    await emit('background');
    await emit('active');
    expect(await screen.findByTestId('lock-screen')).toBeTruthy();
    expect(screen.queryByText('Balance 1,234.56')).toBeNull();
  });
});

describe('app switcher privacy', () => {
  it('covers the content while the app is inactive, lock or no lock', async () => {
    const emit = captureAppState();
    await renderInApp(balance, { settings: { appLock: 'off' } });
    expect(screen.queryByTestId('privacy-cover')).toBeNull();
    await emit('inactive');
    expect(screen.getByTestId('privacy-cover')).toBeTruthy();
    await emit('active');
    expect(screen.queryByTestId('privacy-cover')).toBeNull();
  });
});

describe('the offer after the first sign-in', () => {
  it('turns the lock on once the biometric works', async () => {
    await renderInApp(<AppLockOffer />, { biometrics: fakeBiometrics(true, [true]) });
    await fireEvent.press(await screen.findByRole('button', { name: 'Turn on app lock' }));
    await waitFor(() => expect(screen.queryByTestId('app-lock-offer')).toBeNull());
  });
  it('goes away when declined', async () => {
    await renderInApp(<AppLockOffer />, { biometrics: fakeBiometrics(true) });
    await fireEvent.press(await screen.findByRole('button', { name: 'Not now' }));
    expect(screen.queryByTestId('app-lock-offer')).toBeNull();
  });
  it('is not offered where there are no biometrics (the web)', async () => {
    await renderInApp(<AppLockOffer />, { biometrics: fakeBiometrics(false) });
    await act(async () => {});
    expect(screen.queryByTestId('app-lock-offer')).toBeNull();
  });
  it('is not offered again once decided', async () => {
    await renderInApp(<AppLockOffer />, { settings: { appLock: 'off' }, biometrics: fakeBiometrics(true) });
    await act(async () => {});
    expect(screen.queryByTestId('app-lock-offer')).toBeNull();
  });
});
