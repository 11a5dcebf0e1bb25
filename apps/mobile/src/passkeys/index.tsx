/**
 * Passkeys (WebAuthn) on every platform through one maintained module, react-native-passkeys:
 * `navigator.credentials` in the browser, ASAuthorization on iOS, Credential Manager on Android.
 * The options come from the API as JSON (docs/api/authentication.md) and the answers go back as
 * JSON, so nothing here converts buffers. The RP id is the API's host; native apps need the
 * association files the API serves (/.well-known/apple-app-site-association, assetlinks.json).
 *
 * Screens reach passkeys through `usePasskeys()`, so tests can hand in a fake authenticator
 * (src/test-utils.tsx) and the browser tests a real virtual one.
 */
import { createContext, type ReactNode, use } from 'react';
import * as native from 'react-native-passkeys';

export interface Passkeys {
  /** Whether this device can use passkeys at all. */
  supported(): boolean;
  /** Creates a passkey from the API's creation options; null when the platform answered nothing. */
  create(options: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>> | null>;
  /** Signs the API's request options (a sign-in or a step-up challenge); null when nothing answered. */
  get(options: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>> | null>;
}

type CreateRequest = Parameters<typeof native.create>[0];
type GetRequest = Parameters<typeof native.get>[0];

export const platformPasskeys: Passkeys = {
  supported: () => native.isSupported(),
  // The API's options are the WebAuthn JSON forms the module takes; the casts only name them.
  create: async (options) =>
    (await native.create(options as unknown as CreateRequest)) as Record<string, unknown> | null,
  get: async (options) => (await native.get(options as unknown as GetRequest)) as Record<string, unknown> | null,
};

/**
 * Whether a passkey ceremony ended because the person said no or let it time out (WebAuthn's
 * NotAllowedError / AbortError, the native modules' cancellation): not a failure to report as one.
 */
export function isPasskeyCancelled(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  return name === 'NotAllowedError' || name === 'AbortError' || /cancel/i.test(message);
}

const PasskeysContext = createContext<Passkeys>(platformPasskeys);

export function PasskeysProvider({ passkeys, children }: { passkeys?: Passkeys; children: ReactNode }) {
  return <PasskeysContext value={passkeys ?? platformPasskeys}>{children}</PasskeysContext>;
}

export function usePasskeys(): Passkeys {
  return use(PasskeysContext);
}
