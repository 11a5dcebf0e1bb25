/**
 * Identity verification (docs/api/kyc-and-limits.md): `none` → `pending` → `verified` (with a tier)
 * or `rejected` (with a reason). Money moves only once verified; the tier sets the limits.
 */
import type { paths } from '@nextgen/api-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context';

export type Kyc = paths['/api/v1/me/kyc']['get']['responses'][200]['content']['application/json'];

export const kycKeys = { all: ['kyc'] as const };

export function useKyc() {
  const api = useApi();
  return useQuery({
    queryKey: kycKeys.all,
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/me/kyc', { signal });
      if (!data) throw new Error('The verification answer was empty.');
      return data;
    },
  });
}

export type KycSubmission = paths['/api/v1/me/kyc']['put']['requestBody']['content']['application/json'];

/** Submits (or, while pending or after a rejection, replaces) the customer's identity details. */
export function useSubmitKyc() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (submission: KycSubmission) => {
      const { data } = await api.PUT('/api/v1/me/kyc', { body: submission });
      if (!data) throw new Error('The verification answer was empty.');
      return data;
    },
    onSuccess: (kyc) => {
      queryClient.setQueryData(kycKeys.all, kyc);
      // The limits answer carries the KYC status and tier too.
      void queryClient.invalidateQueries({ queryKey: ['limits'] });
    },
  });
}
