import { type StatementLine, statementLineRow } from '../accounts/index.ts';
import type { ReservationItem, ReservationResult } from '../compliance/index.ts';
import { commandToJson, type LedgerCommand, type LedgerOutcome, outcomeFromJson } from '../ledger/index.ts';
import { createBatcher } from '../platform/batcher.ts';
import { transferBatchesInFlightMax, transferBatchSizeMax, transferQueueLengthMax } from '../platform/constants.ts';
import { type Database, withRetries } from '../platform/database.ts';
import { assert, paymentsBusy } from '../platform/errors.ts';
import { type IdempotencyKey, type StoredAnswer, type StoredResponse, storeResponse } from '../platform/idempotency.ts';
import { type Currency, currencyExponents } from '../platform/money.ts';
import type { CumulativeCheck } from './step-up-policy.ts';

/**
 * Executes money movements in batches, each batch ONE statement (payments_post, migrations 0025, 0061
 * and 0080) that commits on its own: it skips movements whose key was answered before, decides the
 * cumulative step-up rule of those that carry it (sending those past the threshold to approval),
 * reserves the KYC and limits check of the others (refusing those over a limit), posts the rest through the
 * ledger (ledger_apply) and writes the posted ones' history lines, transfer rows, outbox events and
 * idempotency records. Either all of a movement's effects exist or none do, and the ledger's row
 * locks are never held across a round trip to this process (docs/adr/0023).
 *
 * The rows and the answer are written here before the ledger decides, so the few values only the
 * outcome knows are holes (`OutcomeHole`) the database fills in.
 */
export type OutcomeHole =
  | { readonly $outcome: 'createdAt' | 'postedAt' }
  | { readonly $outcome: 'balanceAfter'; readonly leg: number; readonly currency: Currency; readonly exponent: number };

/** Placeholders for an answer's or event's top-level fields: the entry's times, a leg's balance as API money. */
export const outcomeHole = {
  createdAt: { $outcome: 'createdAt' },
  postedAt: { $outcome: 'postedAt' },
  balanceAfter: (leg: number, currency: Currency) => ({
    $outcome: 'balanceAfter',
    leg,
    currency,
    exponent: currencyExponents[currency],
  }),
} as const satisfies Record<string, OutcomeHole | ((...args: never[]) => OutcomeHole)>;

export interface TransferRecord {
  readonly id: string;
  readonly customerId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly toOwnAccount: boolean;
  readonly journalEntryId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly reference: string;
  readonly counterpartyName: string;
  readonly counterpartyIban: string;
  /** posted, or held for a fraud analyst's review (docs/adr/0131) and then posted or rejected. */
  readonly status: TransferStatus;
  /** The risk module's decision behind it (fraud_decisions); null when nothing scored it. */
  readonly riskDecisionId: string | null;
  readonly createdAt: Date;
  readonly postedAt: Date | null;
}

export type TransferStatus = 'posted' | 'held' | 'rejected' | 'reversed';

export interface OutboxEvent {
  readonly id: string;
  readonly topic: string;
  readonly aggregateId: string;
  /** Ids and amounts only: never names, IBANs or other personal data. Top-level holes are filled. */
  readonly payload: Record<string, unknown>;
}

/** What a movement writes and answers if the ledger posts it. Must be pure: batches may be retried. */
export interface PostedPlan {
  /** Top-level holes in the body are filled before it is stored and answered. */
  readonly response: StoredResponse;
  readonly statementLines: readonly StatementLine[];
  readonly transfer?: Omit<TransferRecord, 'createdAt' | 'postedAt'>;
  readonly event?: OutboxEvent;
}

export interface Movement {
  readonly idempotency: IdempotencyKey | undefined;
  readonly command: LedgerCommand;
  readonly posted: PostedPlan;
  /** The answer when the ledger refuses the command (which then changed nothing). */
  readonly refused: (outcome: Extract<LedgerOutcome, { ok: false }>) => StoredResponse;
  /**
   * KYC and limits, checked and reserved in the same statement before the ledger (migration 0061):
   * the item limits_reserve reads, and the answer when it refuses (which then changed nothing).
   */
  readonly limit?: {
    readonly item: ReservationItem;
    readonly refused: (result: ReservationResult) => StoredResponse;
  };
  /**
   * The cumulative step-up rule (payments/step-up-policy.ts), decided in the same statement under a
   * lock per customer and currency (migration 0080), for a customer's unapproved payment to another
   * customer that no other rule sent to approval. One it sends to approval changes nothing and is
   * answered `step_up_required`, stored nowhere: the caller asks the customer for a passkey.
   */
  readonly cumulative?: CumulativeCheck;
}

export type MovementResult =
  | { readonly kind: 'settled'; readonly response: StoredResponse }
  /** The key already had an answer: nothing was executed; the caller replays it. */
  | { readonly kind: 'stored'; readonly stored: StoredAnswer }
  /** Another request stored an answer under this key first; the caller replays it. */
  | { readonly kind: 'key_taken' }
  /** The cumulative step-up rule asks for the customer's approval: nothing was written or stored. */
  | { readonly kind: 'step_up_required' };

type BatchResult =
  | { readonly kind: 'stored'; readonly stored: StoredAnswer }
  | { readonly kind: 'step_up_required' }
  | { readonly kind: 'limit_refused'; readonly limit: ReservationResult }
  | { readonly kind: 'posted'; readonly response: StoredResponse }
  | { readonly kind: 'refused'; readonly outcome: Extract<LedgerOutcome, { ok: false }> };

interface BatchResultJson {
  kind: 'stored' | 'posted' | 'refused' | 'limit_refused' | 'step_up_required';
  stored?: StoredAnswer;
  limit?: ReservationResult;
  response?: StoredResponse;
  outcome?: Parameters<typeof outcomeFromJson>[0];
}

/** SQLSTATE payments_post raises when a key of the batch was stored by another request meanwhile. */
const keyTakenSqlState = 'NGK01';

/** The JSON payments_post reads: amounts as decimal strings so no JSON number ever rounds them. */
function movementJson(item: Movement): Record<string, unknown> {
  const { posted } = item;
  return {
    command: commandToJson(item.command),
    key: item.idempotency ?? null,
    limit: item.limit?.item ?? null,
    cumulative: item.cumulative ?? null,
    posted: {
      response: posted.response,
      lines: posted.statementLines.map(statementLineRow),
      transfer: posted.transfer ? { ...posted.transfer, amountMinor: posted.transfer.amountMinor.toString() } : null,
      event: posted.event ?? null,
    },
  };
}

function batchResult(json: BatchResultJson): BatchResult {
  if (json.kind === 'stored' && json.stored) return { kind: 'stored', stored: json.stored };
  if (json.kind === 'posted' && json.response) return { kind: 'posted', response: json.response };
  if (json.kind === 'limit_refused' && json.limit) return { kind: 'limit_refused', limit: json.limit };
  if (json.kind === 'step_up_required') return { kind: 'step_up_required' };
  assert(json.kind === 'refused' && json.outcome, 'payments_post answers stored, posted or refused');
  const outcome = outcomeFromJson(json.outcome);
  assert(!outcome.ok, 'a refused movement has a rejection');
  return { kind: 'refused', outcome };
}

function isKeyTaken(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === keyTakenSqlState;
}

/** `limitTiers`: limits_reserve's tiers parameter (compliance/limits.ts), passed with every batch. */
export function createMovementExecutor(db: Database, limitTiers: Record<string, unknown>) {
  const tiers = JSON.stringify(limitTiers);
  async function run(items: readonly Movement[]): Promise<(BatchResult | { kind: 'key_taken' })[]> {
    try {
      const { rows } = await withRetries(() =>
        db.query<{ results: BatchResultJson[] }>('SELECT payments_post($1::jsonb, $2::jsonb) AS results', [
          // No replacer: every bigint is a decimal string already (a stray one throws), and the fast path stays fast.
          JSON.stringify(items.map(movementJson)),
          tiers,
        ]),
      );
      const results = rows[0]?.results ?? [];
      assert(results.length === items.length, 'payments_post answers every movement');
      return results.map(batchResult);
    } catch (error) {
      // Alone, a taken key is an answer (replay the stored response); in a batch, the batcher
      // retries each movement alone so the others still go through.
      if (isKeyTaken(error) && items.length === 1) return [{ kind: 'key_taken' }];
      throw error;
    }
  }

  const batcher = createBatcher<Movement, BatchResult | { kind: 'key_taken' }>({
    run,
    batchSizeMax: transferBatchSizeMax,
    inFlightMax: transferBatchesInFlightMax,
    queueLengthMax: transferQueueLengthMax,
    overloaded: paymentsBusy,
  });

  return {
    async submit(item: Movement): Promise<MovementResult> {
      const result = await batcher.submit(item);
      if (result.kind === 'posted') return { kind: 'settled', response: result.response };
      if (result.kind === 'stored' || result.kind === 'key_taken') return result;
      if (result.kind === 'step_up_required') {
        assert(item.cumulative, 'only a movement with a cumulative check is sent to approval');
        return result;
      }
      // A refusal changed nothing, so its answer is stored on its own, like any answer found before
      // posting; if another request stored one under the key first, that one is the answer.
      let response: StoredResponse;
      if (result.kind === 'refused') response = item.refused(result.outcome);
      else {
        assert(item.limit, 'only a movement with a limits check is refused by the limits');
        response = item.limit.refused(result.limit);
      }
      if (item.idempotency && !(await storeResponse(db, item.idempotency, response))) return { kind: 'key_taken' };
      return { kind: 'settled', response };
    },
    pending: batcher.pending,
  };
}
