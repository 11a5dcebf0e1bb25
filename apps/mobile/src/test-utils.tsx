/**
 * Renders a screen inside the app's real providers. Each test gets its own QueryClient with
 * gcTime Infinity (no garbage-collection timers left running, which would keep Jest alive) and
 * clears it afterwards.
 */

import type { ApiClient } from '@nextgen/api-client';
import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react-native';
import type { ReactElement } from 'react';
import { AppProviders } from './app-providers';
import type { Biometrics } from './lock/biometrics';
import type { Passkeys } from './passkeys';
import type { Session } from './session/context';
import { defaultSettings, type Settings, SettingsProvider } from './state/settings';

const clients: QueryClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.clear();
});

export function fakeBiometrics(available: boolean, answers: boolean[] = []): Biometrics & { prompts: number } {
  const fake = {
    prompts: 0,
    available: async () => available,
    authenticate: async () => {
      fake.prompts += 1;
      return answers.shift() ?? false;
    },
  };
  return fake;
}

/**
 * An authenticator that answers with what the test queued (an assertion, null, or an error to
 * throw) and records the options it was asked to sign.
 */
export function fakePasskeys(answers: (Record<string, unknown> | null | Error)[] = []) {
  const asked: Readonly<Record<string, unknown>>[] = [];
  const next = async (options: Readonly<Record<string, unknown>>) => {
    asked.push(options);
    const answer = answers.shift() ?? null;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { asked, supported: () => true, create: next, get: next } satisfies Passkeys & { asked: unknown[] };
}

/** A signed-in session that records what the screen asked of it. */
export function fakeSession(overrides: Partial<Session> = {}) {
  const asked: string[] = [];
  const session: Session & { asked: string[] } = {
    asked,
    status: 'signed-in',
    notice: undefined,
    signIn: async () => {
      asked.push('signIn');
    },
    completeSignIn: async () => {
      asked.push('completeSignIn');
      return '/home';
    },
    reauthenticate: async () => {
      asked.push('reauthenticate');
    },
    signOut: async () => {
      asked.push('signOut');
    },
    ...overrides,
  };
  return session;
}

export interface RenderOptions {
  readonly settings?: Partial<Settings>;
  readonly biometrics?: Biometrics;
  readonly online?: boolean;
  readonly deviceTag?: string;
  readonly onPasswordFallback?: () => void;
  /** The API the screen talks to: `fakeServer(routes).api` (src/fake-server.ts). */
  readonly api?: ApiClient;
  readonly passkeys?: Passkeys;
  /** Default: a signed-in fakeSession(). */
  readonly session?: Session;
}

export function renderInApp(ui: ReactElement, options: RenderOptions = {}) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { gcTime: Number.POSITIVE_INFINITY, retry: false } },
  });
  clients.push(queryClient);
  return render(
    <SettingsProvider initial={{ ...defaultSettings, ...options.settings }}>
      <AppProviders
        queryClient={queryClient}
        biometrics={options.biometrics ?? fakeBiometrics(false)}
        online={options.online ?? true}
        deviceTag={options.deviceTag ?? 'en-GB'}
        onPasswordFallback={options.onPasswordFallback ?? (() => {})}
        api={options.api}
        passkeys={options.passkeys ?? fakePasskeys()}
        session={options.session ?? fakeSession()}
      >
        {ui}
      </AppProviders>
    </SettingsProvider>,
  );
}
