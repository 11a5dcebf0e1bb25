import { useRouter } from 'expo-router';
import { SignInScreen } from '../../src/screens/session/sign-in-screen';

export default function SignInRoute() {
  const router = useRouter();
  return <SignInScreen onRegister={() => router.push('/register')} />;
}
