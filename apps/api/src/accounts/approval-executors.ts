import { type ApprovalExecutors, outcomeOf } from '../platform/approvals.ts';
import type { AccountsService } from './service.ts';

/** The accounts module's four-eyes actions (ADR 0072), registered by the composition root. */
export function accountsApprovalExecutors(accounts: Pick<AccountsService, 'unfreezeByBank'>): ApprovalExecutors {
  return {
    'accounts.unfreeze': (request) =>
      outcomeOf(async () => {
        const account = await accounts.unfreezeByBank(String(request.accountId));
        return { status: 200, resultId: account.id };
      }),
  };
}
