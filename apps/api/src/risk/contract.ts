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
 * Why a payment is held, in words safe to show the customer (docs/adr/0131): only facts about the
 * customer's own behaviour, never the model's inner workings or anything about the payee's other
 * customers. The app translates the code; the API adds an English sentence.
 */
export type CustomerReason =
  | 'unusual_amount'
  | 'new_payee'
  | 'new_device'
  | 'many_payments'
  | 'money_in_then_out'
  | 'unusual_activity';

/**
 * allow: post it. step_up: post it only after the customer approves its details with a passkey
 * (the same approval as above the amount threshold; docs/adr/0024). hold: reserve the money and post
 * it only once a fraud analyst approves it (docs/adr/0131). decline: refuse it. `decisionId`: the
 * stored decision (fraud_decisions) behind it; absent when nothing scored the transfer.
 */
export type RiskDecision =
  | { readonly outcome: 'allow'; readonly decisionId?: string }
  | { readonly outcome: 'step_up'; readonly reason: string; readonly decisionId?: string }
  | {
      readonly outcome: 'hold';
      readonly reason: string;
      readonly customerReason: CustomerReason;
      readonly decisionId: string;
    }
  | { readonly outcome: 'decline'; readonly reason: string; readonly decisionId?: string };

export type RiskCheck = (command: TransferCommand) => Promise<RiskDecision>;

/** An analyst's review of a held transfer, recorded on its decision as a training label. */
export interface ReviewRecord {
  readonly decisionId: string;
  readonly review: 'approved' | 'rejected';
  readonly operatorId: string;
}
