import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { fakeSession, renderInApp } from '../../test-utils';
import { SettingsScreen } from '../settings-screen';
import { SignOutButton } from './sign-out-button';

const en = { settings: { language: 'en' as const } };

describe('SignOutButton', () => {
  it('signs out after the confirmation', async () => {
    const session = fakeSession();
    await renderInApp(<SettingsScreen links={<SignOutButton />} />, { ...en, session });
    await fireEvent.press(screen.getByTestId('sign-out'));
    expect(screen.getByTestId('confirm-dialog')).toBeTruthy();
    expect(session.asked).toEqual([]);
    await fireEvent.press(screen.getByTestId('confirm-accept'));
    await waitFor(() => expect(session.asked).toEqual(['signOut']));
  });

  it('does nothing when the confirmation is cancelled', async () => {
    const session = fakeSession();
    await renderInApp(<SignOutButton />, { ...en, session });
    await fireEvent.press(screen.getByRole('button', { name: 'Sign out' }));
    await fireEvent.press(screen.getByTestId('confirm-cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(session.asked).toEqual([]);
  });

  it('is not there while signed out', async () => {
    await renderInApp(<SignOutButton />, { ...en, session: fakeSession({ status: 'signed-out' }) });
    expect(screen.queryByTestId('sign-out')).toBeNull();
  });
});
