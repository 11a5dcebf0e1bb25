import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { fakeBiometrics, renderInApp } from '../test-utils';
import { AboutScreen } from './about-screen';
import { SettingsScreen } from './settings-screen';

describe('settings', () => {
  it('switches the whole app to German', async () => {
    await renderInApp(<SettingsScreen />, { settings: { language: 'en' } });
    await fireEvent.press(screen.getByRole('radio', { name: 'Deutsch' }));
    expect(await screen.findByRole('heading', { name: 'Einstellungen' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'Deutsch' })).toBeChecked();
  });

  it('overrides the system theme', async () => {
    await renderInApp(<SettingsScreen />, { settings: { language: 'en', theme: 'system' } });
    const root = () => screen.getByTestId('settings-screen');
    const lightBackground = root().props.style;
    await fireEvent.press(screen.getByRole('radio', { name: 'Dark' }));
    expect(screen.getByRole('radio', { name: 'Dark' })).toBeChecked();
    expect(root().props.style).not.toEqual(lightBackground);
    expect(root()).toHaveStyle({ backgroundColor: '#0d1014' });
  });

  it('turns the app lock on only after a successful biometric', async () => {
    const biometrics = fakeBiometrics(true, [false, true]);
    await renderInApp(<SettingsScreen />, { settings: { language: 'en' }, biometrics });
    const toggle = await screen.findByRole('switch', { name: 'Unlock with biometrics' });
    await fireEvent(toggle, 'valueChange', true);
    expect(screen.getByRole('switch', { name: 'Unlock with biometrics' }).props.value).toBe(false);
    await fireEvent(toggle, 'valueChange', true);
    await waitFor(() => expect(screen.getByRole('switch', { name: 'Unlock with biometrics' }).props.value).toBe(true));
    expect(biometrics.prompts).toBe(2);
  });

  it('explains that the lock is unavailable where there are no biometrics', async () => {
    await renderInApp(<SettingsScreen />, { settings: { language: 'en' }, biometrics: fakeBiometrics(false) });
    expect(await screen.findByTestId('app-lock-unavailable')).toBeTruthy();
    expect(screen.queryByRole('switch')).toBeNull();
  });
});

describe('about', () => {
  it('shows the version and the licence in German', async () => {
    await renderInApp(<AboutScreen version="1.2.3" />, { settings: { language: 'de' } });
    expect(screen.getByText('Version 1.2.3')).toBeTruthy();
    expect(screen.getByText(/Apache License 2.0/)).toBeTruthy();
  });
});
