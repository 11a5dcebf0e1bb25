import type { AccountsService } from '../accounts/index.ts';
import type { AppDependencies } from '../app.ts';
import type { AuditService } from '../audit/index.ts';
import type { LimitsService } from '../compliance/limits.ts';
import { requestHash } from '../payments/idempotency.ts';
import type { PaymentsService } from '../payments/index.ts';
import { assert } from '../platform/errors.ts';
import { isCurrency } from '../platform/money.ts';
import { type ApprovalAction, type ApprovalExecutor, createApprovalsService, outcomeOf } from './approvals.ts';
import { createOperatorsService } from './operators.ts';

/**
 * The back office: operators (who), approvals (four-eyes) and the executors that carry out an
 * approved action through the owning module's service. Every action is audited.
 */
export interface BackofficeModules {
  readonly audit: AuditService;
  readonly payments: PaymentsService;
  readonly accounts: AccountsService;
  readonly limits: LimitsService;
}

function executorsOf(modules: BackofficeModules): Record<ApprovalAction, ApprovalExecutor> {
  return {
    // Keyed by the approval id: executing the same approval again replays the stored credit.
    'payments.credit': async (request, { id: approvalId }) => {
      const currency = String(request.currency);
      assert(isCurrency(currency), 'an approved credit names a currency the bank keeps');
      const input = {
        accountId: String(request.accountId),
        amountMinor: BigInt(String(request.amountMinor)),
        currency,
        description: String(request.description),
      };
      const idempotency = {
        scope: 'approval',
        key: approvalId,
        requestHash: requestHash('APPROVE', approvalId, request),
      };
      const { response } = await modules.payments.creditAccount(input, idempotency);
      const body = response.body;
      return response.status < 400
        ? { status: response.status, resultId: String(body.id) }
        : { status: response.status, code: String(body.code) };
    },
    'accounts.unfreeze': (request) =>
      outcomeOf(async () => {
        const account = await modules.accounts.unfreezeByBank(String(request.accountId));
        return { status: 200, resultId: account.id };
      }),
    'limits.override': (request, approval) =>
      outcomeOf(async () => {
        const currency = String(request.currency);
        assert(isCurrency(currency), 'an approved limit override names a currency the bank keeps');
        await modules.limits.setLimitOverride({
          customerId: String(request.customerId),
          currency,
          perTransferMaxMinor: BigInt(String(request.perTransferMaxMinor)),
          dailyMaxMinor: BigInt(String(request.dailyMaxMinor)),
          reason: String(request.reason),
          operator: approval.requestedBy,
        });
        return { status: 200, resultId: String(request.customerId) };
      }),
  };
}

export function createBackofficeService(deps: Pick<AppDependencies, 'db'>, modules: BackofficeModules) {
  const operators = createOperatorsService(deps.db, modules.audit);
  const approvals = createApprovalsService(deps.db, modules.audit, executorsOf(modules));
  return { operators, approvals };
}

export type BackofficeService = ReturnType<typeof createBackofficeService>;
