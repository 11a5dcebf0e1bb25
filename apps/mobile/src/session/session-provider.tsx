/**
 * The session behind useSession(): opens this installation's device (its key, token store and API
 * client), knows whether the customer is signed in, and ends the session wherever it ends:
 * - signing out here (the grant is revoked);
 * - the API refusing a refresh (another device signed this one out, the grant expired or was
 *   revoked): the client reports `refresh_refused`;
 * - any call answering `401 customer_inactive` (the bank locked or closed the customer): signed out
 *   at once with the API's detail, whichever screen made the call.
 * Every end clears the query cache, so no balance of the last customer stays in memory.
 */
import { type ApiClient, ApiProblem } from '@nextgen/api-client';
import type { QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type Session, type SessionNotice, type SessionStatus, SignInCancelled } from './context';
import type { Device } from './device-types';

const recentSignInMaxAgeS = 300;

/** The path the web app is on, to come back to after a redirect sign-in (native: none). */
function currentPath(): string | undefined {
  const location = (globalThis as { location?: { pathname?: string; search?: string } }).location;
  return location?.pathname ? `${location.pathname}${location.search ?? ''}` : undefined;
}

const isInactive = (error: unknown) =>
  error instanceof ApiProblem && error.status === 401 && error.code === 'customer_inactive';

export interface DeviceSession {
  readonly session: Session;
  /** Undefined until the device opened (or when it could not). */
  readonly api: ApiClient | undefined;
}

export function useDeviceSession(openDevice: () => Promise<Device>, queryClient: QueryClient): DeviceSession {
  const [device, setDevice] = useState<Device | undefined>();
  const [status, setStatus] = useState<SessionStatus>('starting');
  const [notice, setNotice] = useState<SessionNotice | undefined>();
  /** Why the next sign-out happens, when this code starts it (signOut(), customer_inactive). */
  const endingBecause = useRef<SessionNotice | undefined>(undefined);

  /** The device once it opened; undefined when it could not (`again` makes a sign-in try anew). */
  const opening = useRef<Promise<Device | undefined> | undefined>(undefined);
  const openRef = useRef(openDevice);
  const ready = useCallback((again = false): Promise<Device | undefined> => {
    if (again) opening.current = undefined;
    opening.current ??= openRef.current().then(
      (opened) => {
        setDevice(opened);
        return opened;
      },
      (error: unknown) => {
        setNotice({ code: 'device-unavailable', error });
        setStatus('signed-out');
        return undefined;
      },
    );
    return opening.current;
  }, []);

  useEffect(() => {
    void ready();
  }, [ready]);

  useEffect(() => {
    if (!device) return;
    let live = true;
    void device
      .hasSignIn()
      .then(
        (held) => held,
        () => false,
      )
      // A sign-in finished meanwhile (the web callback) wins over what the store said at start.
      .then((held) => live && setStatus((now) => (now === 'starting' ? (held ? 'signed-in' : 'signed-out') : now)));
    const stopListening = device.api.onSignedOut((reason) => {
      queryClient.clear();
      setNotice(endingBecause.current ?? (reason === 'refresh_refused' ? { code: 'expired' } : { code: 'signed-out' }));
      endingBecause.current = undefined;
      setStatus('signed-out');
    });
    const endIfInactive = (error: unknown) => {
      if (!isInactive(error) || endingBecause.current) return;
      endingBecause.current = { code: 'inactive', error };
      void device.api.signOut();
    };
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') endIfInactive(event.action.error);
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') endIfInactive(event.action.error);
    });
    return () => {
      live = false;
      stopListening();
      stopQueries();
      stopMutations();
    };
  }, [device, queryClient]);

  const session = useMemo<Session>(() => {
    const begin = async (maxAgeS: number | undefined, returnTo: string | undefined) => {
      const opened = (await ready()) ?? (await ready(true));
      if (!opened) throw new Error('This device cannot sign in.');
      const outcome = await opened.signIn({ maxAgeS, returnTo });
      if (outcome.status === 'cancelled') throw new SignInCancelled();
      setNotice(undefined);
      setStatus('signed-in');
    };
    return {
      status,
      notice,
      async signIn(returnTo) {
        try {
          await begin(undefined, returnTo);
        } catch (error) {
          // Closing the browser is a decision, not a failure to report.
          setNotice(error instanceof SignInCancelled ? undefined : { code: 'sign-in-failed', error });
        }
      },
      reauthenticate: () => begin(recentSignInMaxAgeS, currentPath()),
      async completeSignIn(callbackUrl) {
        const opened = await ready();
        try {
          if (!opened) throw new Error('This device cannot sign in.');
          const returnTo = await opened.completeRedirect(callbackUrl);
          setNotice(undefined);
          setStatus('signed-in');
          return returnTo;
        } catch (error) {
          setNotice({ code: 'sign-in-failed', error });
          setStatus(opened && (await opened.hasSignIn()) ? 'signed-in' : 'signed-out');
          throw error;
        }
      },
      async signOut() {
        if (!device) return;
        endingBecause.current = { code: 'signed-out' };
        await device.api.signOut();
      },
    };
  }, [device, ready, status, notice]);

  return { session, api: device?.api };
}
