import { randomUUID } from 'node:crypto';
import { createBatcher } from '../platform/batcher.ts';
import { riskDecisionBatchSizeMax, riskDecisionsInFlightMax, transferQueueLengthMax } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import { paymentsBusy } from '../platform/errors.ts';
import type { CustomerReason, RiskDecision } from './contract.ts';

/** A decision to store (fraud_decisions, migrations 0091, 0092). */
export interface NewDecision {
  readonly customerId: string;
  /** SHA-256 of customer and Idempotency-Key; null without a key (each such decision is its own row). */
  readonly requestKeyHash: string | null;
  readonly score: number | null;
  readonly rulesScore: number;
  readonly outcome: RiskDecision['outcome'];
  readonly customerReason: CustomerReason | null;
  readonly model: string;
  readonly reasons: readonly object[];
  readonly features: Readonly<Record<string, number | undefined>>;
  readonly createdAt: Date;
  /** False under RISK_SCORING=monitor: recorded, not acted on (migration 0096). */
  readonly enforced: boolean;
}

/** The decision that stands for a request: its own row, or the one stored first under its key. */
export interface StoredDecision {
  readonly id: string;
  readonly customer_id: string;
  readonly request_key_hash: string | null;
  readonly outcome: RiskDecision['outcome'];
  readonly reasons: readonly { feature: string }[];
  readonly customer_reason: CustomerReason | null;
}

const insertSql = `
INSERT INTO fraud_decisions (id, customer_id, request_key_hash, score, rules_score, outcome, customer_reason, model,
  reasons, features, created_at, enforced)
SELECT d.id, d.customer_id, d.request_key_hash, d.score, d.rules_score, d.outcome, d.customer_reason, d.model,
  d.reasons, d.features, d.created_at, d.enforced
FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, customer_id text, request_key_hash text, score float8,
  rules_score float8, outcome text, customer_reason text, model text, reasons jsonb, features jsonb,
  created_at timestamptz, enforced boolean)
ORDER BY d.customer_id, d.request_key_hash
ON CONFLICT (customer_id, request_key_hash) DO UPDATE SET request_key_hash = EXCLUDED.request_key_hash
RETURNING id, customer_id, request_key_hash, outcome, reasons, customer_reason`;

const keyOf = (customerId: string, hash: string) => `${customerId}\n${hash}`;

/**
 * Stores decisions in groups (the batcher): concurrent transfers' decisions share one INSERT and
 * one commit instead of one each, which on a durable database (synchronous_commit) was a WAL flush
 * per transfer. A request retried under the same key gets the decision stored first (`DO UPDATE` of
 * nothing returns the existing row); duplicates of one key within a batch are sent once.
 */
export function createDecisionStore(db: Queryable) {
  const batcher = createBatcher<NewDecision, StoredDecision>({
    async run(decisions) {
      const ids = decisions.map(() => randomUUID());
      const sent = new Map<string, number>();
      const rows: object[] = [];
      decisions.forEach((d, i) => {
        if (d.requestKeyHash !== null) {
          const key = keyOf(d.customerId, d.requestKeyHash);
          if (sent.has(key)) return;
          sent.set(key, i);
        }
        rows.push({
          id: ids[i],
          customer_id: d.customerId,
          request_key_hash: d.requestKeyHash,
          score: d.score,
          rules_score: d.rulesScore,
          outcome: d.outcome,
          customer_reason: d.customerReason,
          model: d.model,
          reasons: d.reasons,
          features: d.features,
          created_at: d.createdAt.toISOString(),
          enforced: d.enforced,
        });
      });
      const { rows: stored } = await db.query<StoredDecision>(insertSql, [JSON.stringify(rows)]);
      const byId = new Map(stored.map((r) => [r.id, r]));
      const byKey = new Map(
        stored.flatMap((r) => (r.request_key_hash === null ? [] : [[keyOf(r.customer_id, r.request_key_hash), r]])),
      );
      return decisions.map((d, i) => {
        const found =
          d.requestKeyHash === null ? byId.get(ids[i] as string) : byKey.get(keyOf(d.customerId, d.requestKeyHash));
        if (!found) throw new Error('storing a fraud decision returned no row');
        return found;
      });
    },
    batchSizeMax: riskDecisionBatchSizeMax,
    inFlightMax: riskDecisionsInFlightMax,
    queueLengthMax: transferQueueLengthMax,
    overloaded: paymentsBusy,
  });
  return (decision: NewDecision) => batcher.submit(decision);
}
