/**
 * The customer's sign-in as the rest of the app sees it. src/session's provider fills it (sign-in
 * through the system browser or a web redirect, the device's DPoP key and token store); screens
 * only read `status` and call the three actions:
 * - `signIn()`: starts the sign-in (PAR, PKCE, DPoP; docs/api/authentication.md).
 * - `reauthenticate()`: signs in again with `max_age=300`, for `401 recent_sign_in_required`
 *   (adding a first passkey, revoking one, signing another device out); resolves once the fresh
 *   sign-in is stored, so the screen can retry its call.
 * - `signOut()`: revokes the grant, forgets tokens and cached data, back to the front door.
 */
import { createContext, type ReactNode, use } from 'react';

export type SessionStatus = 'starting' | 'signed-out' | 'signed-in';

export interface Session {
  readonly status: SessionStatus;
  signIn(): Promise<void>;
  reauthenticate(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionContextProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext value={session}>{children}</SessionContext>;
}

export function useSession(): Session {
  const session = use(SessionContext);
  if (!session) throw new Error('useSession() needs a session provider above it.');
  return session;
}
