/**
 * The customer's personal data (docs/api/personal-data.md): the profile, its changes, and the
 * export of everything the bank holds (GDPR Art. 15 and 20). Personal data stays in memory and on
 * screen: nothing here logs it, and the export is not cached (each one is audited and the customer
 * asks for a fresh copy).
 */
import type { paths } from '@nextgen/api-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context';
import { useRecentSignIn } from './sessions';

export type Profile = paths['/api/v1/customers/me']['get']['responses'][200]['content']['application/json'];
export type ProfileChanges = paths['/api/v1/customers/me']['patch']['requestBody']['content']['application/json'];
export type PersonalDataExport =
  paths['/api/v1/customers/me/export']['get']['responses'][200]['content']['application/json'];

export const profileKeys = {
  all: ['profile'] as const,
  me: () => [...profileKeys.all, 'me'] as const,
};

export function useProfile() {
  const api = useApi();
  return useQuery({
    queryKey: profileKeys.me(),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/customers/me', { signal });
      if (!data) throw new Error('The profile answer was empty.');
      return data;
    },
  });
}

/** Changing the e-mail (the sign-in name) or phone needs a recent sign-in; the rest does not. */
export function useUpdateProfile() {
  const api = useApi();
  const recentSignIn = useRecentSignIn();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: ProfileChanges) =>
      recentSignIn(async () => {
        const { data } = await api.PATCH('/api/v1/customers/me', { body: changes });
        if (!data) throw new Error('The profile answer was empty.');
        return data;
      }),
    onSuccess: (profile) => queryClient.setQueryData(profileKeys.me(), profile),
  });
}

/**
 * Fetches the export and hands it to `deliver` (download, share sheet) in the same step, so the
 * mutation keeps only what `deliver` answers (a summary), not the document itself.
 */
export function useExportPersonalData<R>(deliver: (document: PersonalDataExport) => Promise<R>) {
  const api = useApi();
  return useMutation({
    mutationFn: async () => {
      const { data } = await api.GET('/api/v1/customers/me/export');
      if (!data) throw new Error('The export answer was empty.');
      return deliver(data);
    },
  });
}
