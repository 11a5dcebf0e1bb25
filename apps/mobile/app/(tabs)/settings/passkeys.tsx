import { PasskeysScreen } from '../../../src/screens/security/passkeys-screen';

export default function PasskeysRoute() {
  return <PasskeysScreen />;
}
