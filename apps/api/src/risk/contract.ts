import type { Currency } from '../platform/money.ts';

/** What the risk check sees of a transfer about to be posted (payments calls it once per request). */
export interface TransferCommand {
  readonly customerId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  /** The payee account's IBAN (the sender's own other account's for an own-account transfer). */
  readonly toIban: string;
  readonly toOwnAccount: boolean;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  /** When the transfer happens: now, or the back-dated time of demo data. */
  readonly at: Date;
  /**
   * RFC 7638 thumbprint of the DPoP key the customer's app signed the request with (the device);
   * undefined when no device initiated it (demo data, tests through the service).
   */
  readonly deviceKeyThumbprint: string | undefined;
  /** The request's Idempotency-Key: a decision is stored once per key. Undefined without one. */
  readonly idempotencyKey: string | undefined;
}

/**
 * allow: post it. step_up: post it only after the customer approves its details with a passkey
 * (the same approval as above the amount threshold; docs/adr/0024). decline: refuse it.
 */
export type RiskDecision =
  | { readonly outcome: 'allow' }
  | { readonly outcome: 'step_up'; readonly reason: string }
  | { readonly outcome: 'decline'; readonly reason: string };

export type RiskCheck = (command: TransferCommand) => Promise<RiskDecision>;
