/**
 * The device this installation runs on, as the session sees it: its API client (bound to the
 * device's DPoP key and token store) and how a sign-in leaves for the authorization server and
 * comes back. device.web.ts (IndexedDB, a same-origin redirect) and device.native.ts (Secure
 * Enclave / Android Keystore, expo-secure-store, the system browser) implement it.
 */
import type { ApiClient } from '@nextgen/api-client';

export interface SignInRequest {
  /** `300` when the API asked for a recent sign-in (`401 recent_sign_in_required`). */
  readonly maxAgeS?: number;
  /** The app path to open afterwards. */
  readonly returnTo?: string;
}

/** What a sign-in attempt came to: done (tokens stored), or the person closed the browser. */
export type SignInOutcome =
  | { readonly status: 'signed-in'; readonly returnTo: string }
  | { readonly status: 'cancelled' };

export interface Device {
  readonly api: ApiClient;
  /** Whether tokens from an earlier sign-in are held (they may still turn out to be revoked). */
  hasSignIn(): Promise<boolean>;
  /**
   * Native: opens the system browser and resolves when it comes back. Web: the page leaves for the
   * sign-in page; the promise never resolves, and the app starts again at /auth/callback.
   */
  signIn(request: SignInRequest): Promise<SignInOutcome>;
  /** Web: finishes the sign-in the redirect to /auth/callback brought back; answers returnTo. */
  completeRedirect(callbackUrl: string): Promise<string>;
}

const homePath = '/home';

/**
 * A path inside the app to return to, never a way out of it: only `/…` and never `//host` or
 * `/\host` (which browsers read as another origin), and no scheme.
 */
export function safeReturnPath(path: string | null | undefined): string {
  if (!path?.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return homePath;
  // Control characters (a tab or newline inside "/\t/evil.example" is dropped by URL parsers).
  if (/\p{Cc}/u.test(path)) return homePath;
  return path;
}
