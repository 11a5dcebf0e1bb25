import { ProfileScreen } from '../../../src/screens/security/profile-screen';

export default function ProfileRoute() {
  return <ProfileScreen />;
}
