/**
 * Identity verification (docs/api/kyc-and-limits.md): `none` → `pending` → `verified` (with a tier)
 * or `rejected` (with a reason). Money moves only once verified; the tier sets the limits.
 */
import type { paths } from '@nextgen/api-client';
import { useQuery } from '@tanstack/react-query';
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
