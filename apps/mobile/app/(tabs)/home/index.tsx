import { useRouter } from 'expo-router';
import { HomeScreen } from '../../../src/screens/accounts/home-screen';

export default function HomeRoute() {
  const router = useRouter();
  return (
    <HomeScreen
      onOpenAccount={(id) => router.push(`/home/accounts/${encodeURIComponent(id)}`)}
      onOpenLimits={() => router.push('/home/limits')}
      onOpenNewAccount={() => router.push('/home/open')}
    />
  );
}
