import type { StatementLine } from '../accounts/history.ts';
import type { AccountsService } from '../accounts/index.ts';
import type { LedgerCommand, LedgerOutcome, LedgerService } from '../ledger/index.ts';
import { transferBatchesInFlightMax, transferBatchSizeMax, transferQueueLengthMax } from '../platform/constants.ts';
import type { Database, Queryable } from '../platform/database.ts';
import { assert, DomainError } from '../platform/errors.ts';
import { createBatcher } from './batcher.ts';
import type { IdempotencyKey, StoredResponse } from './idempotency.ts';

/**
 * Executes money movements in batches: one transaction per batch writes the ledger entries (one
 * ledger_apply call), the history lines, the transfer rows, the outbox events and the idempotency
 * records, so either all of a movement's effects exist or none do.
 */
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
  readonly createdAt: Date;
  readonly postedAt: Date | null;
}

export interface OutboxEvent {
  readonly id: string;
  readonly topic: string;
  readonly aggregateId: string;
  /** Ids and amounts only: never names, IBANs or other personal data. */
  readonly payload: Record<string, unknown>;
  readonly createdAt: Date;
}

/** What a movement writes and answers once the ledger has decided. Must be pure: batches may be retried. */
export interface Settlement {
  readonly response: StoredResponse;
  readonly statementLines: readonly StatementLine[];
  readonly transfer?: TransferRecord;
  readonly event?: OutboxEvent;
}

export interface Movement {
  readonly idempotency: IdempotencyKey | undefined;
  readonly command: LedgerCommand;
  readonly settle: (outcome: LedgerOutcome) => Settlement;
}

export type MovementResult =
  | { readonly kind: 'settled'; readonly response: StoredResponse; readonly outcome: LedgerOutcome }
  /** Another request stored a response under this key first; the caller replays it. */
  | { readonly kind: 'key_taken' };

/** Thrown inside a batch's transaction to roll it back when a key was already taken. */
class KeyTaken extends Error {}

const overloaded = () =>
  new DomainError(
    503,
    'service_busy',
    'Service busy',
    'We are receiving more payments than we can process right now. Retry in a few seconds with the same Idempotency-Key.',
    { headers: { 'retry-after': '1' } },
  );

async function writeRecords(tx: Queryable, items: readonly Movement[], settlements: readonly Settlement[]) {
  const transfers = settlements.flatMap((s) => (s.transfer ? [s.transfer] : []));
  const events = settlements.flatMap((s) => (s.event ? [s.event] : []));
  const keys = items.flatMap((item, i) =>
    item.idempotency ? [{ ...item.idempotency, response: settlements[i]?.response }] : [],
  );
  if (transfers.length + events.length + keys.length === 0) return 0;
  const { rows } = await tx.query<{ stored: number }>(
    `WITH new_transfers AS (
       INSERT INTO transfers (id, customer_id, from_account_id, to_account_id, to_own_account, journal_entry_id,
         amount_minor, currency, reference, counterparty_name, counterparty_iban, status, created_at, posted_at)
       SELECT id, "customerId", "fromAccountId", "toAccountId", "toOwnAccount", "journalEntryId", "amountMinor",
         currency, reference, "counterpartyName", "counterpartyIban", 'posted', "createdAt", "postedAt"
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, "customerId" text, "fromAccountId" text, "toAccountId" text,
         "toOwnAccount" boolean, "journalEntryId" text, "amountMinor" bigint, currency text, reference text,
         "counterpartyName" text, "counterpartyIban" text, "createdAt" timestamptz, "postedAt" timestamptz)
     ), new_events AS (
       INSERT INTO outbox_events (id, topic, aggregate_id, payload, created_at)
       SELECT id, topic, "aggregateId", payload, "createdAt"
       FROM jsonb_to_recordset($2::jsonb) AS x(id text, topic text, "aggregateId" text, payload jsonb, "createdAt" timestamptz)
     ), new_keys AS (
       -- Last, and in key order: a key held by a concurrent transaction is waited for without holding it up.
       INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
       SELECT scope, key, "requestHash", (response ->> 'status')::int, response -> 'body'
       FROM jsonb_to_recordset($3::jsonb) AS x(scope text, key text, "requestHash" text, response jsonb)
       ORDER BY scope, key
       ON CONFLICT (scope, key) DO NOTHING
       RETURNING 1
     )
     SELECT count(*)::int AS stored FROM new_keys`,
    [
      JSON.stringify(transfers, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
      JSON.stringify(events),
      JSON.stringify(keys),
    ],
  );
  return keys.length - Number(rows[0]?.stored ?? 0);
}

export function createMovementExecutor(
  db: Database,
  modules: { ledger: Pick<LedgerService, 'apply'>; accounts: Pick<AccountsService, 'recordStatementLines'> },
) {
  const { ledger, accounts } = modules;

  async function run(items: readonly Movement[]): Promise<MovementResult[]> {
    try {
      return await db.transaction(async (tx) => {
        const outcomes = await ledger.apply(
          tx,
          items.map((item) => item.command),
        );
        const settlements = items.map((item, i) => {
          const outcome = outcomes[i];
          assert(outcome, 'one ledger outcome per movement');
          return item.settle(outcome);
        });
        await accounts.recordStatementLines(
          tx,
          settlements.flatMap((s) => s.statementLines),
        );
        if ((await writeRecords(tx, items, settlements)) > 0) throw new KeyTaken();
        return settlements.map(
          (s, i) => ({ kind: 'settled', response: s.response, outcome: outcomes[i] }) as MovementResult,
        );
      });
    } catch (error) {
      // Alone, a taken key is an answer (replay the stored response); in a batch, the batcher
      // retries each movement alone so the others still go through.
      if (error instanceof KeyTaken && items.length === 1) return [{ kind: 'key_taken' }];
      throw error;
    }
  }

  const batcher = createBatcher<Movement, MovementResult>({
    run,
    batchSizeMax: transferBatchSizeMax,
    inFlightMax: transferBatchesInFlightMax,
    queueLengthMax: transferQueueLengthMax,
    overloaded,
  });
  return { submit: batcher.submit, pending: batcher.pending };
}
