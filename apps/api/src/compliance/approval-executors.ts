import { type ApprovalExecutors, outcomeOf } from '../platform/approvals.ts';
import { assert } from '../platform/errors.ts';
import { isCurrency } from '../platform/money.ts';
import { kycChanged, limitOverrideNotFound } from '../platform/problems.ts';
import type { GdprService } from './gdpr.ts';
import type { KycService } from './kyc.ts';
import { isKycTier, type LimitsService } from './limits.ts';

/**
 * The compliance desk's four-eyes actions (ADR 0072): a limit override, lifting a restriction, a
 * higher KYC tier, erasure. Registered by the composition root.
 */
export interface ComplianceApprovalServices {
  readonly limits: Pick<LimitsService, 'setLimitOverride' | 'removeLimitOverride'>;
  readonly kyc: Pick<KycService, 'review' | 'verify'>;
  readonly gdpr: Pick<GdprService, 'eraseCustomer'>;
}

export function complianceApprovalExecutors(services: ComplianceApprovalServices): ApprovalExecutors {
  return { ...limitsExecutors(services.limits), ...kycAndErasureExecutors(services) };
}

function limitsExecutors(limits: ComplianceApprovalServices['limits']): ApprovalExecutors {
  return {
    'limits.override': (request, approval) =>
      outcomeOf(async () => {
        const currency = String(request.currency);
        assert(isCurrency(currency), 'an approved limit override names a currency the bank keeps');
        await limits.setLimitOverride({
          customerId: String(request.customerId),
          currency,
          perTransferMaxMinor: BigInt(String(request.perTransferMaxMinor)),
          dailyMaxMinor: BigInt(String(request.dailyMaxMinor)),
          reason: String(request.reason),
          operator: approval.requestedBy,
        });
        return { status: 200, resultId: String(request.customerId) };
      }),
    'limits.override_removal': (request, approval) =>
      outcomeOf(async () => {
        const currency = String(request.currency);
        assert(isCurrency(currency), 'an approved override removal names a currency the bank keeps');
        const customerId = String(request.customerId);
        if (!(await limits.removeLimitOverride(customerId, currency, approval.requestedBy)))
          throw limitOverrideNotFound('meanwhile');
        return { status: 200, resultId: customerId };
      }),
  };
}

function kycAndErasureExecutors(services: ComplianceApprovalServices): ApprovalExecutors {
  return {
    'kyc.verify': (request, approval) =>
      outcomeOf(async () => {
        const customerId = String(request.customerId);
        const tier = Number(request.tier);
        assert(isKycTier(tier), 'an approved verification names a KYC tier');
        // The approver approved a change from the standing they saw; a changed standing is decided afresh.
        const now = await services.kyc.review(customerId);
        if (now.status !== request.fromStatus || (now.tier ?? 0) !== Number(request.fromTier))
          throw kycChanged('approval');
        // Bound to the submission the requester reviewed: a replaced document is decided afresh (409 kyc_submission_replaced).
        const submissionId = String(request.submissionId);
        await services.kyc.verify(customerId, { tier, operator: approval.requestedBy, submissionId });
        return { status: 200, resultId: customerId };
      }),
    'customers.erase': (request, approval) =>
      outcomeOf(async () => {
        const customerId = String(request.customerId);
        await services.gdpr.eraseCustomer({
          customerId,
          operatorId: approval.requestedBy,
          approvedBy: approval.approvedBy,
        });
        return { status: 200, resultId: customerId };
      }),
  };
}
