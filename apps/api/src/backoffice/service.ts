import type { AccountsService } from '../accounts/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { GdprService } from '../compliance/gdpr.ts';
import type { KycService } from '../compliance/kyc.ts';
import { isKycTier, type LimitsService } from '../compliance/limits.ts';
import type { PaymentsService } from '../payments/index.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { assert } from '../platform/errors.ts';
import { requestHash } from '../platform/idempotency.ts';
import { isCurrency } from '../platform/money.ts';
import { kycChanged, limitOverrideNotFound } from '../platform/problems.ts';
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
  readonly kyc: Pick<KycService, 'review' | 'verify'>;
  readonly gdpr: Pick<GdprService, 'eraseCustomer'>;
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
    ...complianceExecutors(modules),
  };
}

/** The compliance desk's four-eyes actions: lifting a restriction, a higher KYC tier, erasure. */
function complianceExecutors(modules: BackofficeModules) {
  return {
    'limits.override_removal': (request, approval) =>
      outcomeOf(async () => {
        const currency = String(request.currency);
        assert(isCurrency(currency), 'an approved override removal names a currency the bank keeps');
        const customerId = String(request.customerId);
        if (!(await modules.limits.removeLimitOverride(customerId, currency, approval.requestedBy)))
          throw limitOverrideNotFound('meanwhile');
        return { status: 200, resultId: customerId };
      }),
    'kyc.verify': (request, approval) =>
      outcomeOf(async () => {
        const customerId = String(request.customerId);
        const tier = Number(request.tier);
        assert(isKycTier(tier), 'an approved verification names a KYC tier');
        // The approver approved a change from the standing they saw; a changed standing is decided afresh.
        const now = await modules.kyc.review(customerId);
        if (now.status !== request.fromStatus || (now.tier ?? 0) !== Number(request.fromTier))
          throw kycChanged('approval');
        // Bound to the submission the requester reviewed: a replaced document is decided afresh (409 kyc_submission_replaced).
        const submissionId = String(request.submissionId);
        await modules.kyc.verify(customerId, { tier, operator: approval.requestedBy, submissionId });
        return { status: 200, resultId: customerId };
      }),
    'customers.erase': (request, approval) =>
      outcomeOf(async () => {
        const customerId = String(request.customerId);
        await modules.gdpr.eraseCustomer({
          customerId,
          operatorId: approval.requestedBy,
          approvedBy: approval.approvedBy,
        });
        return { status: 200, resultId: customerId };
      }),
  } satisfies Partial<Record<ApprovalAction, ApprovalExecutor>>;
}

export function createBackofficeService(deps: Pick<AppDependencies, 'db'>, modules: BackofficeModules) {
  const operators = createOperatorsService(deps.db, modules.audit);
  const approvals = createApprovalsService(deps.db, modules.audit, executorsOf(modules));
  return { operators, approvals };
}

export type BackofficeService = ReturnType<typeof createBackofficeService>;
