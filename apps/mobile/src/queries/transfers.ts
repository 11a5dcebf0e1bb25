/**
 * Transfers (docs/api/banking.md "Transfers"): making one and reading one back. A transfer moves
 * money, so its Idempotency-Key is part of the mutation's variables: the screen makes it once per
 * reviewed payment and every resubmission (a retry, the step-up approval) sends the same one.
 */
import type { paths } from '@nextgen/api-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context';
import { isProblem } from '../api/errors';
import type { ApprovalSummary, StepUpApproval } from '../step-up';
import { accountKeys } from './accounts';
import { limitKeys } from './limits';
import { payeeKeys } from './payees';
import { transactionKeys } from './transactions';

export type Transfer = paths['/api/v1/transfers/{id}']['get']['responses'][200]['content']['application/json'];
export type TransferBody = paths['/api/v1/transfers']['post']['requestBody']['content']['application/json'];
/** The body as the customer reviewed it; the approval is added by the step-up resubmission only. */
export type TransferOrder = Omit<TransferBody, 'stepUp'>;

export const transferKeys = {
  all: ['transfers'] as const,
  detail: (id: string) => [...transferKeys.all, 'detail', id] as const,
};

/** The accounts helper's transaction keys all start with this. */

export function useTransfer(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: transferKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/transfers/{id}', { params: { path: { id } }, signal });
      if (!data) throw new Error('The transfer answer was empty.');
      return data;
    },
  });
}

type WithStepUp = <T>(call: (stepUp?: StepUpApproval) => Promise<T>, summary: ApprovalSummary) => Promise<T>;

export interface TransferVariables {
  readonly idempotencyKey: string;
  readonly order: TransferOrder;
  readonly summary: ApprovalSummary;
}

export function useCreateTransfer(withStepUp: WithStepUp) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ idempotencyKey, order, summary }: TransferVariables) => {
      const { data } = await withStepUp(
        (stepUp) =>
          api.POST('/api/v1/transfers', {
            params: { header: { 'idempotency-key': idempotencyKey } },
            // The approval is the authenticator's JSON (AuthenticationResponseJSON), checked by the server.
            body: stepUp ? { ...order, stepUp: stepUp as unknown as TransferBody['stepUp'] } : order,
          }),
        summary,
      );
      if (!data) throw new Error('The transfer answer was empty.');
      return data;
    },
    onSuccess: (transfer) => {
      queryClient.setQueryData(transferKeys.detail(transfer.id), transfer);
    },
    // A payee deleted since the list loaded (on another device): the list is stale, so load it again.
    onError: (error) => {
      if (isProblem(error, 'payee_not_found')) void queryClient.invalidateQueries({ queryKey: payeeKeys.all });
    },
    // Balances and history change with any definite answer that moved money; a refusal moved none,
    // but refreshing then is harmless and keeps one rule.
    // Not awaited: the result shows without waiting for the lists to load again.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: accountKeys.all });
      void queryClient.invalidateQueries({ queryKey: transactionKeys.all });
      // What is left of today's limits changed too.
      void queryClient.invalidateQueries({ queryKey: limitKeys.all });
    },
  });
}
