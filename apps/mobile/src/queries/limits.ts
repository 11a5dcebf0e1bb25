/**
 * Transfer limits of the customer's KYC tier (docs/api/kyc-and-limits.md): per transfer and per UTC
 * day, per currency, with what is used and left today. A payment invalidates `limitKeys.all`.
 */
import type { paths } from '@nextgen/api-client';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context';

export type Limits = paths['/api/v1/me/limits']['get']['responses'][200]['content']['application/json'];
export type CurrencyLimit = Limits['limits'][number];

export const limitKeys = { all: ['limits'] as const };

export function useLimits() {
  const api = useApi();
  return useQuery({
    queryKey: limitKeys.all,
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/me/limits', { signal });
      if (!data) throw new Error('The limits answer was empty.');
      return data;
    },
  });
}
