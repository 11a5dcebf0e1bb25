import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react-native';
import { fakeServer, problem } from '../fake-server';
import { SignInCancelled } from './context';
import type { Device, SignInOutcome } from './device-types';
import { useDeviceSession } from './session-provider';

function fakeDevice(overrides: Partial<Device> = {}, routes: Parameters<typeof fakeServer>[0] = {}) {
  const server = fakeServer(routes);
  const outcomes: SignInOutcome[] = [];
  const asked: { maxAgeS?: number | undefined; returnTo?: string | undefined }[] = [];
  const device: Device = {
    api: server.api,
    hasSignIn: async () => true,
    signIn: async (request) => {
      asked.push(request);
      return outcomes.shift() ?? { status: 'cancelled' };
    },
    completeRedirect: async () => '/home/accounts/acc_1',
    ...overrides,
  };
  return { device, server, outcomes, asked };
}

const clients: QueryClient[] = [];
function newClient() {
  const client = new QueryClient({ defaultOptions: { queries: { gcTime: Number.POSITIVE_INFINITY, retry: false } } });
  clients.push(client);
  return client;
}
afterEach(() => {
  for (const client of clients.splice(0)) client.clear();
});

describe('useDeviceSession', () => {
  it('starts signed in when the device holds a sign-in, signed out when not', async () => {
    const opening = await renderHook(() => useDeviceSession(() => new Promise<Device>(() => {}), newClient()));
    expect(opening.result.current.session.status).toBe('starting');

    const held = fakeDevice();
    const first = await renderHook(() => useDeviceSession(async () => held.device, newClient()));
    await waitFor(() => expect(first.result.current.session.status).toBe('signed-in'));
    expect(first.result.current.api).toBe(held.device.api);

    const none = fakeDevice({ hasSignIn: async () => false });
    const second = await renderHook(() => useDeviceSession(async () => none.device, newClient()));
    await waitFor(() => expect(second.result.current.session.status).toBe('signed-out'));
    expect(second.result.current.session.notice).toBeUndefined();
  });

  it('signs out: revokes, forgets the cached data and says so', async () => {
    const { device, server } = fakeDevice();
    const client = newClient();
    client.setQueryData(['accounts', 'list'], [{ id: 'acc_1' }]);
    const { result } = await renderHook(() => useDeviceSession(async () => device, client));
    await waitFor(() => expect(result.current.session.status).toBe('signed-in'));
    await act(() => result.current.session.signOut());
    expect(result.current.session.status).toBe('signed-out');
    expect(result.current.session.notice).toEqual({ code: 'signed-out' });
    expect(client.getQueryData(['accounts', 'list'])).toBeUndefined();
    // The revocation went out through discovery (best effort: the fake has no authorization server).
    expect(server.calls('GET /oidc/.well-known/openid-configuration')).toHaveLength(1);
    expect(await device.api.GET('/api/v1/accounts').catch((e: unknown) => e)).toBeTruthy();
  });

  it('ends the session when any call answers 401 customer_inactive, with the API detail', async () => {
    const { device } = fakeDevice(
      {},
      {
        'GET /api/v1/accounts': () => problem(401, 'customer_inactive', 'Your access is locked by the bank.'),
      },
    );
    const client = newClient();
    const { result } = await renderHook(() => {
      const s = useDeviceSession(async () => device, client);
      return s;
    });
    await waitFor(() => expect(result.current.session.status).toBe('signed-in'));
    await act(async () => {
      await client
        .fetchQuery({ queryKey: ['accounts', 'list'], queryFn: () => device.api.GET('/api/v1/accounts') })
        .catch(() => {});
    });
    await waitFor(() => expect(result.current.session.status).toBe('signed-out'));
    expect(result.current.session.notice?.code).toBe('inactive');
    expect((result.current.session.notice?.error as { detail?: string } | undefined)?.detail).toBe(
      'Your access is locked by the bank.',
    );
  });

  it('treats a closed browser as no sign-in, a failed one as a notice', async () => {
    const failing = new Error('network down');
    const { device, outcomes } = fakeDevice({ hasSignIn: async () => false });
    const { result } = await renderHook(() => useDeviceSession(async () => device, newClient()));
    await waitFor(() => expect(result.current.session.status).toBe('signed-out'));
    await act(() => result.current.session.signIn());
    expect(result.current.session.status).toBe('signed-out');
    expect(result.current.session.notice).toBeUndefined();

    outcomes.push({ status: 'signed-in', returnTo: '/home' });
    await act(() => result.current.session.signIn());
    expect(result.current.session.status).toBe('signed-in');

    const broken = fakeDevice({ hasSignIn: async () => false, signIn: async () => Promise.reject(failing) });
    const other = await renderHook(() => useDeviceSession(async () => broken.device, newClient()));
    await waitFor(() => expect(other.result.current.session.status).toBe('signed-out'));
    await act(() => other.result.current.session.signIn());
    expect(other.result.current.session.notice).toEqual({ code: 'sign-in-failed', error: failing });
  });

  it('re-authenticates with max_age 300 and rejects when the person cancels', async () => {
    const { device, outcomes, asked } = fakeDevice();
    const { result } = await renderHook(() => useDeviceSession(async () => device, newClient()));
    await waitFor(() => expect(result.current.session.status).toBe('signed-in'));
    await expect(result.current.session.reauthenticate()).rejects.toBeInstanceOf(SignInCancelled);
    outcomes.push({ status: 'signed-in', returnTo: '/settings' });
    await act(() => result.current.session.reauthenticate());
    expect(asked.map((a) => a.maxAgeS)).toEqual([300, 300]);
  });

  it('finishes a web redirect and answers where to go; a bad one leaves a notice', async () => {
    const good = fakeDevice({ hasSignIn: async () => false });
    const { result } = await renderHook(() => useDeviceSession(async () => good.device, newClient()));
    await waitFor(() => expect(result.current.session.status).toBe('signed-out'));
    let path = '';
    await act(async () => {
      path = await result.current.session.completeSignIn('https://bank.test/auth/callback?code=c&state=s');
    });
    expect(path).toBe('/home/accounts/acc_1');
    expect(result.current.session.status).toBe('signed-in');

    const refused = new Error('state mismatch');
    const bad = fakeDevice({ hasSignIn: async () => false, completeRedirect: async () => Promise.reject(refused) });
    const other = await renderHook(() => useDeviceSession(async () => bad.device, newClient()));
    await act(async () => {
      await expect(other.result.current.session.completeSignIn('https://bank.test/auth/callback')).rejects.toBe(
        refused,
      );
    });
    expect(other.result.current.session.status).toBe('signed-out');
    expect(other.result.current.session.notice).toEqual({ code: 'sign-in-failed', error: refused });
  });

  it('reports a device that cannot keep a key', async () => {
    const failure = new Error('IndexedDB is unavailable');
    const { result } = await renderHook(() => useDeviceSession(() => Promise.reject(failure), newClient()));
    await waitFor(() => expect(result.current.session.status).toBe('signed-out'));
    expect(result.current.session.notice).toEqual({ code: 'device-unavailable', error: failure });
    expect(result.current.api).toBeUndefined();
  });
});
