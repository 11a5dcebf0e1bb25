import type { Currency } from '../platform/money.ts';

/** What the risk check sees of a transfer about to be posted. */
export interface TransferCommand {
  readonly customerId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly toOwnAccount: boolean;
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

export type RiskDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * SEAM for the risk module (fraud scoring, AML monitoring, limits; a later issue). The transfer path
 * calls it once per request, before posting, from payments/service.ts; a retry of a request already
 * answered is checked too before its batch replays the stored answer, so a scorer that counts
 * attempts should count each Idempotency-Key once. Until that module exists every transfer is
 * allowed; when it declines, the transfer is answered 422 `transfer_declined` and stored under its key.
 */
export async function riskCheck(_command: TransferCommand): Promise<RiskDecision> {
  return { allowed: true };
}
