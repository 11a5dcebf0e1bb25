/**
 * Accounts: the list with balances, one account, and what changes them. Keys and invalidation live
 * here beside the hooks; a screen that moves money invalidates `accountKeys.all` when it is done.
 */
import type { paths } from '@nextgen/api-client';
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context';
import type { ApprovalSummary, useStepUp } from '../step-up';

export type Account = paths['/api/v1/accounts']['get']['responses'][200]['content']['application/json']['data'][number];
export type AccountStatus = Account['status'];
export type AccountType = Account['type'];
export type Currency = Account['currency'];
export type NewAccount = NonNullable<paths['/api/v1/accounts']['post']['requestBody']>['content']['application/json'];

/** The schema's currencies, in its order, for the open-account form. */
export const currencies: readonly Currency[] = [
  'EUR',
  'USD',
  'GBP',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'JPY',
  'KWD',
];
export const accountTypes: readonly AccountType[] = ['checking', 'savings'];

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

/** The account as the API now has it goes into the detail cache at once; the list refetches. */
function settle(queryClient: QueryClient, account: Account) {
  queryClient.setQueryData(accountKeys.detail(account.id), account);
  return queryClient.invalidateQueries({ queryKey: accountKeys.all, refetchType: 'active' });
}

/**
 * Opens an account. The 201 is the only answer that carries the full `iban`; it is dropped here so
 * the cache (and anything that persists or logs it) only ever holds the masked one.
 * POST /accounts moves no money and its schema takes no Idempotency-Key.
 */
export function useOpenAccount() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewAccount): Promise<Account> => {
      const { data } = await api.POST('/api/v1/accounts', { body });
      if (!data) throw new Error('The new account answer was empty.');
      const { iban: _fullIban, ...account } = data;
      return account;
    },
    onSuccess: (account) => settle(queryClient, account),
  });
}

export type AccountAction = 'freeze' | 'unfreeze' | 'close';

/**
 * Freeze, unfreeze or close. These change no balance and their schema takes no Idempotency-Key:
 * repeating one answers the same account (or `account_closed`), so a retry is harmless.
 */
export function useAccountAction(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (action: AccountAction): Promise<Account> => {
      const options = { params: { path: { id } }, body: {} };
      const { data } =
        action === 'freeze'
          ? await api.POST('/api/v1/accounts/{id}/freeze', options)
          : action === 'unfreeze'
            ? await api.POST('/api/v1/accounts/{id}/unfreeze', options)
            : await api.POST('/api/v1/accounts/{id}/close', options);
      if (!data) throw new Error('The account answer was empty.');
      return data;
    },
    onSuccess: (account) => settle(queryClient, account),
  });
}

type WithStepUp = ReturnType<typeof useStepUp>['withStepUp'];
type RevealBody = NonNullable<
  NonNullable<paths['/api/v1/accounts/{id}/reveal']['post']['requestBody']>['content']['application/json']
>;

/**
 * Reveals the full IBAN after a passkey approval (the API answers `step_up_required` first). The
 * IBAN lives only in this mutation while the screen shows it: never in the query cache, and
 * `gcTime: 0` drops it as soon as the screen is gone.
 */
export function useRevealIban(id: string, withStepUp: WithStepUp, summary: ApprovalSummary) {
  const api = useApi();
  return useMutation({
    gcTime: 0,
    mutationFn: () =>
      withStepUp(async (stepUp) => {
        const { data } = await api.POST('/api/v1/accounts/{id}/reveal', {
          params: { path: { id } },
          // The assertion is the platform's AuthenticationResponseJSON; the API checks its shape.
          body: stepUp ? { stepUp: stepUp as NonNullable<RevealBody['stepUp']> } : {},
        });
        if (!data) throw new Error('The reveal answer was empty.');
        return data.iban;
      }, summary),
  });
}
