/**
 * Saved payees (docs/api/banking.md "Payees"): the list, saving one (with its confirmation of payee
 * result) and deleting one. Keys and invalidation live here beside the hooks.
 */
import type { paths } from '@nextgen/api-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context';
import type { ApprovalSummary, StepUpApproval } from '../step-up';

export type Payee = paths['/api/v1/payees']['get']['responses'][200]['content']['application/json']['data'][number];
export type CreatedPayee = paths['/api/v1/payees']['post']['responses'][201]['content']['application/json'];
export type NewPayee = paths['/api/v1/payees']['post']['requestBody']['content']['application/json'];
export type Confirmation = Payee['confirmation'];

/** The API's page size cap. */
const payeePageLimit = 100;
/** A customer saves at most 200 payees (`payee_limit_reached`): two full pages, and one to spare. */
const payeePagesMax = 3;

export const payeeKeys = {
  all: ['payees'] as const,
  list: () => [...payeeKeys.all, 'list'] as const,
};

export function usePayees() {
  const api = useApi();
  return useQuery({
    queryKey: payeeKeys.list(),
    queryFn: async ({ signal }) => {
      const payees: Payee[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < payeePagesMax; pages++) {
        const { data } = await api.GET('/api/v1/payees', {
          params: { query: { limit: payeePageLimit, ...(cursor ? { cursor } : {}) } },
          signal,
        });
        payees.push(...(data?.data ?? []));
        cursor = data?.nextCursor ?? undefined;
        if (!cursor) break;
      }
      return payees;
    },
  });
}

type WithStepUp = <T>(call: (stepUp?: StepUpApproval) => Promise<T>, summary: ApprovalSummary) => Promise<T>;

/**
 * Saves a payee. The step-up module lists a new payee among the actions the API may ask approval
 * for; today's POST /payees never does (its body has no `stepUp`), so `withStepUp` only passes the
 * answer through until the API adds it.
 */
export function useCreatePayee(withStepUp: WithStepUp) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ body, summary }: { body: NewPayee; summary: ApprovalSummary }) => {
      const { data } = await withStepUp(
        (stepUp) =>
          api.POST('/api/v1/payees', {
            // The approval is the authenticator's JSON, checked by the server; the schema does not name it yet.
            body: (stepUp ? { ...body, stepUp } : body) as NewPayee,
          }),
        summary,
      );
      if (!data) throw new Error('The payee answer was empty.');
      return data;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: payeeKeys.all }),
  });
}

export function useDeletePayee() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE('/api/v1/payees/{id}', { params: { path: { id } } });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: payeeKeys.all }),
  });
}
