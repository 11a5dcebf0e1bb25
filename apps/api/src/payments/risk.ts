import type { RiskCheck, RiskService } from '../risk/index.ts';

// The contract moved to the risk module's door (docs/adr/0130); payments, its caller, uses it from there.
export type { CustomerReason, RiskCheck, RiskDecision, TransferCommand } from '../risk/index.ts';
export { customerReasonText } from '../risk/index.ts';

/** What payments needs of the risk module for held transfers (docs/adr/0131): reasons and labels. */
export type ReviewDecisions = Pick<RiskService, 'decisionsById' | 'recordReview'>;

/**
 * What the transfer path calls when no risk check is passed in (app.ts passes the risk module's;
 * service-level tests and RISK_SCORING=off use this). The transfer path calls the check once per
 * request, before posting, from payments/service.ts; a retry of a request already answered is
 * checked too before its batch replays the stored answer, so a scorer that counts attempts should
 * count each Idempotency-Key once. When it declines, the transfer is answered 422
 * `transfer_declined` and stored under its key; when it asks for step-up, the transfer is answered
 * 403 `step_up_required` (not stored) until the customer resubmits it with a passkey approval. The
 * reason is never shown to the client.
 */
export const riskCheck: RiskCheck = async () => ({ outcome: 'allow' });
