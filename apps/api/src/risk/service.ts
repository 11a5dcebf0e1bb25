import { createHash } from 'node:crypto';
import { type FraudAssessment, featureNames, featureVector, rulesAssessment } from '@nextgen/ml';
import { riskReasonsMax } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import type { RiskCheck, RiskDecision, TransferCommand } from './contract.ts';
import { decide } from './decision.ts';
import { transferSnapshot } from './features-repository.ts';
import { loadScoringModel, type ScoringModel } from './model.ts';

/** The risk module's door (risk/index.ts re-exports it). */
export interface RiskService {
  /** Scores a transfer, stores the decision once per Idempotency-Key and answers payments' RiskCheck. */
  readonly check: RiskCheck;
  /** Settles once the model is loaded, or known missing (rules only); never rejects. */
  readonly model: Promise<ScoringModel>;
}

interface Scored {
  readonly model: FraudAssessment | null;
  readonly rules: FraudAssessment;
  readonly decision: RiskDecision;
}

/** Plain words for the decision row: the rules that fired, then the model's strongest features. */
const reasonWords = (scored: Scored) =>
  [...scored.rules.reasons, ...(scored.model?.reasons ?? [])]
    .map((r) => ({ feature: r.feature, description: r.description, contribution: Number(r.contribution.toFixed(6)) }))
    // A feature that moved the score by less than a millionth explains nothing.
    .filter((r) => r.contribution > 0);

async function storeDecision(
  db: Queryable,
  command: TransferCommand,
  values: Float64Array,
  scored: Scored,
  label: string,
) {
  // The key is the customer's; hashed with the customer id so the row carries no request secret.
  const keyHash =
    command.idempotencyKey === undefined
      ? null
      : createHash('sha256').update(`${command.customerId}\n${command.idempotencyKey}`).digest('hex');
  const features = Object.fromEntries(featureNames.map((name, i) => [name, values[i]]));
  await db.query(
    `INSERT INTO fraud_decisions (customer_id, transfer_id, request_key_hash, score, rules_score, outcome, model, reasons, features, created_at)
     VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (customer_id, request_key_hash) DO NOTHING`,
    [
      command.customerId,
      keyHash,
      scored.model?.score ?? null,
      scored.rules.score,
      scored.decision.outcome,
      label,
      JSON.stringify(reasonWords(scored)),
      JSON.stringify(features),
      command.at,
    ],
  );
}

/**
 * Fraud scoring of transfers (docs/adr/0130): one feature query, the model and the explicit rules
 * side by side, a decision mapped onto allow / step_up / decline, stored before payments acts on it.
 * The model is loaded once, here at start; until it settles, checks wait for it.
 */
export function createRiskService(deps: Pick<AppDependencies, 'db' | 'config'>): RiskService {
  const { db, config } = deps;
  const model = loadScoringModel(db, config.fraudModelPath);
  const check: RiskCheck = async (command) => {
    const loaded = await model;
    const values = featureVector(await transferSnapshot(db, command));
    const rules = rulesAssessment(values);
    const assessed = loaded.kind === 'model' ? loaded.scorer.assess(values, riskReasonsMax) : null;
    const thresholds = loaded.kind === 'model' ? loaded.scorer.thresholds : null;
    const decision = decide(assessed, thresholds, rules, command.toOwnAccount);
    // Stored before payments acts on it: a decline is explainable even if the answer is lost.
    await storeDecision(db, command, values, { model: assessed, rules, decision }, loaded.label);
    return decision;
  };
  return { check, model };
}
