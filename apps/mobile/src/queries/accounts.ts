/**
 * Accounts: the list with balances, one account, and what changes them. Keys and invalidation live
 * here beside the hooks; a screen that moves money invalidates `accountKeys.all` when it is done.
 */
import type { paths } from '@nextgen/api-client';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context';

export type Account = paths['/api/v1/accounts']['get']['responses'][200]['content']['application/json']['data'][number];

export const accountKeys = {
  all: ['accounts'] as const,
  list: () => [...accountKeys.all, 'list'] as const,
  detail: (id: string) => [...accountKeys.all, 'detail', id] as const,
};

/** Every account of the customer (the API's page size cap is 100; customers hold a handful). */
export function useAccounts() {
  const api = useApi();
  return useQuery({
    queryKey: accountKeys.list(),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/accounts', { params: { query: { limit: 100 } }, signal });
      return data?.data ?? [];
    },
  });
}

export function useAccount(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: accountKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/accounts/{id}', { params: { path: { id } }, signal });
      if (!data) throw new Error('The account answer was empty.');
      return data;
    },
  });
}
