/**
 * Signed-in devices (docs/api/authentication.md, "Sessions and devices"): each sign-in of the app is
 * a session; signing another device out revokes its grant. Also here, because it is about how
 * fresh this sign-in is: `useRecentSignIn()`, the one answer to `401 recent_sign_in_required`
 * for every sensitive call (adding a first passkey, revoking one, signing another device out,
 * changing the e-mail or phone).
 */
import type { paths } from '@nextgen/api-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useApi } from '../api/context';
import { isProblem } from '../api/errors';
import { useSession } from '../session/context';

export type DeviceSession =
  paths['/api/v1/sessions']['get']['responses'][200]['content']['application/json']['data'][number];

/**
 * The API's page cap. One page is all the screen shows: a sign-in lasts at most 14 days, so even a
 * customer on many devices holds far fewer open sessions; a 101st would go unlisted, not lost.
 */
export const sessionsPageLimit = 100;

export const sessionKeys = {
  all: ['sessions'] as const,
  list: () => [...sessionKeys.all, 'list'] as const,
};

/**
 * Runs `call`; when the API answers `401 recent_sign_in_required`, signs in again (max_age=300)
 * and runs it once more. A second refusal is surfaced: signing in again did not help, and looping
 * would keep sending the customer to the login page.
 */
export function useRecentSignIn() {
  const session = useSession();
  return useCallback(
    async <T>(call: () => Promise<T>): Promise<T> => {
      try {
        return await call();
      } catch (error) {
        if (!isProblem(error, 'recent_sign_in_required')) throw error;
        await session.reauthenticate();
        return call();
      }
    },
    [session],
  );
}

export function useSessions() {
  const api = useApi();
  return useQuery({
    queryKey: sessionKeys.list(),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/sessions', { params: { query: { limit: sessionsPageLimit } }, signal });
      return data?.data ?? [];
    },
  });
}

/** Signs another device out (its refresh token stops at once). */
export function useSignOutDevice() {
  const api = useApi();
  const recentSignIn = useRecentSignIn();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      recentSignIn(async () => {
        const { data } = await api.DELETE('/api/v1/sessions/{id}', { params: { path: { id } } });
        return data;
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: sessionKeys.all }),
  });
}
