import { DevicesScreen } from '../../../src/screens/security/devices-screen';

export default function DevicesRoute() {
  return <DevicesScreen />;
}
