import { AboutScreen } from '../../../src/screens/about-screen';

export default function AboutRoute() {
  return <AboutScreen />;
}
