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

/**
 * Why the customer is at the front door, for the sign-in screen to say (session.notice.<code>):
 * - `signed-out`: they signed out here; `expired`: the sign-in ended elsewhere (another device
 *   signed this one out, the grant expired or was revoked); `inactive`: the bank locked or closed
 *   the customer (the API's detail says which); `sign-in-failed`: the last attempt did not finish;
 *   `device-unavailable`: this device could not keep a key (private browsing, no secure hardware).
 */
export interface SessionNotice {
  readonly code: 'signed-out' | 'expired' | 'inactive' | 'sign-in-failed' | 'device-unavailable';
  /** The failure behind it, shown with problemDetail() (src/api/errors.ts). */
  readonly error?: unknown;
}

/** reauthenticate() when the person closed the sign-in instead of finishing it. */
export class SignInCancelled extends Error {
  override readonly name = 'SignInCancelled';
  constructor() {
    super('The sign-in was cancelled.');
  }
}

export interface Session {
  readonly status: SessionStatus;
  /** Why the customer is at the front door again, if known. */
  readonly notice?: SessionNotice | undefined;
  /** `returnTo`: the app path to open after the sign-in (web: kept across the redirect). */
  signIn(returnTo?: string): Promise<void>;
  /** Finishes a sign-in from the redirect URL (web: /auth/callback); answers the path to open. */
  completeSignIn(callbackUrl: string): Promise<string>;
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
