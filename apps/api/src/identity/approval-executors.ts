import { type ApprovalExecutor, type ApprovalExecutors, outcomeOf } from '../platform/approvals.ts';
import { assert } from '../platform/errors.ts';
import type { CustomerStatusAction, CustomerStatusService } from './customer-status.ts';
import type { CustomerStatus } from './service.ts';

const storedStatuses: readonly string[] = ['active', 'locked', 'closed', 'erased'] satisfies CustomerStatus[];

/**
 * Identity's four-eyes actions (ADR 0072, 0105): unlocking and closing a customer, each executed
 * from the status it was requested from (a status changed meanwhile fails the approval with 409
 * customer_status_conflict). Registered by the composition root.
 */
export function identityApprovalExecutors(customerStatus: Pick<CustomerStatusService, 'apply'>): ApprovalExecutors {
  const executor =
    (action: CustomerStatusAction): ApprovalExecutor =>
    (request, approval) =>
      outcomeOf(async () => {
        const from = String(request.fromStatus);
        assert(storedStatuses.includes(from), 'an approved status change names the status it was asked from');
        const changed = await customerStatus.apply(action, {
          customerId: String(request.customerId),
          from: from as CustomerStatus,
          reason: String(request.reason),
          operatorId: approval.requestedBy,
          approvedBy: approval.approvedBy,
        });
        return { status: 200, resultId: changed.id };
      });
  return { 'customers.unlock': executor('unlock'), 'customers.close': executor('close') };
}
