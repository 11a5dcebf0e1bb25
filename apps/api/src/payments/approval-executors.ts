import type { ApprovalExecutors } from '../platform/approvals.ts';
import { assert } from '../platform/errors.ts';
import { requestHash } from '../platform/idempotency.ts';
import { isCurrency } from '../platform/money.ts';
import type { PaymentsService } from './service.ts';

/** The payments module's four-eyes actions (ADR 0072), registered by the composition root. */
export function paymentsApprovalExecutors(payments: Pick<PaymentsService, 'creditAccount'>): ApprovalExecutors {
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
      const { response } = await payments.creditAccount(input, idempotency);
      const body = response.body;
      return response.status < 400
        ? { status: response.status, resultId: String(body.id) }
        : { status: response.status, code: String(body.code) };
    },
  };
}
