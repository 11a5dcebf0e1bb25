import { createHash } from 'node:crypto';
import { type FraudAssessment, type FraudScorer, featureNames, featureVector, rulesAssessment } from '@nextgen/ml';
import { artifactSource } from '../platform/artifact-source.ts';
import { fraudModelBytesMax, riskReasonsMax } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import type { CustomerReason, ReviewRecord, RiskCheck, RiskDecision, TransferCommand } from './contract.ts';
import { decide, type Verdict } from './decision.ts';
import { createDecisionStore, type NewDecision, type StoredDecision } from './decisions-repository.ts';
import { createSnapshotReader } from './features-repository.ts';
import { createModelHolder, type ModelRefresh, type ScoringModel } from './model.ts';

/** The risk module's door (risk/index.ts re-exports it). */
export interface RiskService {
  /** Scores a transfer, stores the decision once per Idempotency-Key and answers payments' RiskCheck. */
  readonly check: RiskCheck;
  /** Settles once the model is loaded, or known missing (rules only); never rejects. */
  readonly model: Promise<ScoringModel>;
  /** Reads the artifact again and switches a changed, valid one in (docs/adr/0132). */
  readonly refreshModel: () => Promise<ModelRefresh>;
  /** Starts polling the artifact; returns the function that stops it. */
  readonly startModelRefresh: (
    report: (refresh: Exclude<ModelRefresh, { outcome: 'unchanged' }>) => void,
  ) => () => void;
  /** The stored decisions behind held transfers, for the review queue (by decision id). */
  readonly decisionsById: (db: Queryable, ids: readonly string[]) => Promise<Map<string, DecisionView>>;
  /** Records an analyst's review on its decision, in the caller's transaction: the training label. */
  readonly recordReview: (tx: Queryable, review: ReviewRecord) => Promise<void>;
}

interface Scored {
  readonly model: FraudAssessment | null;
  readonly rules: FraudAssessment;
  readonly verdict: Verdict;
}

/** Plain words for the decision row: the rules that fired, then the model's strongest features. */
const reasonWords = (scored: Scored) =>
  [...scored.rules.reasons, ...(scored.model?.reasons ?? [])]
    .map((r) => ({ feature: r.feature, description: r.description, contribution: Number(r.contribution.toFixed(6)) }))
    // A feature that moved the score by less than a millionth explains nothing.
    .filter((r) => r.contribution > 0);

/**
 * The model's assessment and the verdict. Reasons (three occlusions of the network, most of the
 * scoring's CPU) are worked out only when the score alone does not clear the transfer: an allowed
 * transfer's stored features explain it later if anyone asks (docs/adr/0134).
 */
function assessed(scorer: FraudScorer, values: Float64Array, rules: FraudAssessment, toOwnAccount: boolean) {
  const thresholds = scorer.thresholds;
  const bare: FraudAssessment = { score: scorer.score(values), reasons: [] };
  const cleared = decide(bare, thresholds, rules, toOwnAccount);
  if (cleared.outcome === 'allow') return { model: bare, verdict: cleared };
  const model = scorer.assess(values, riskReasonsMax);
  return { model, verdict: decide(model, thresholds, rules, toOwnAccount) };
}

/** The decision as payments sees it, from its stored row: the first decision made under a key stands. */
function decisionOf(row: StoredDecision): RiskDecision {
  const reason = row.reasons[0]?.feature ?? 'score';
  switch (row.outcome) {
    case 'allow':
      return { outcome: 'allow', decisionId: row.id };
    case 'hold':
      return {
        outcome: 'hold',
        reason,
        customerReason: row.customer_reason ?? 'unusual_activity',
        decisionId: row.id,
      };
    default:
      return { outcome: row.outcome, reason, decisionId: row.id };
  }
}

/**
 * The decision to store: a retry under the same Idempotency-Key (the customer resubmitting with a
 * passkey approval, or after a lost answer) gets the first request's decision, not a fresh score,
 * so a request is decided once (decisions-repository.ts).
 */
function newDecision(
  command: TransferCommand,
  values: Float64Array,
  scored: Scored,
  label: string,
  enforced: boolean,
): NewDecision {
  const { verdict } = scored;
  return {
    customerId: command.customerId,
    // The key is the customer's; hashed with the customer id so the row carries no request secret.
    requestKeyHash:
      command.idempotencyKey === undefined
        ? null
        : createHash('sha256').update(`${command.customerId}\n${command.idempotencyKey}`).digest('hex'),
    score: scored.model?.score ?? null,
    rulesScore: scored.rules.score,
    outcome: verdict.outcome,
    customerReason: verdict.outcome === 'hold' ? verdict.customerReason : null,
    model: label,
    reasons: reasonWords(scored),
    features: Object.fromEntries(featureNames.map((name, i) => [name, values[i]])),
    createdAt: command.at,
    enforced,
  };
}

/** A stored decision as the back office shows it beside a held transfer. */
export interface DecisionView {
  readonly id: string;
  readonly outcome: string;
  readonly model: string;
  readonly score: number | null;
  readonly rulesScore: number;
  readonly customerReason: CustomerReason | null;
  readonly reasons: readonly { feature: string; description: string; contribution: number }[];
  readonly decidedAt: string;
  readonly review: { readonly outcome: 'approved' | 'rejected'; readonly by: string; readonly at: string } | null;
}

interface DecisionRow {
  id: string;
  outcome: string;
  model: string;
  score: number | null;
  rules_score: number;
  customer_reason: CustomerReason | null;
  reasons: DecisionView['reasons'];
  created_at: Date;
  review: 'approved' | 'rejected' | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
}

async function decisionsById(db: Queryable, ids: readonly string[]): Promise<Map<string, DecisionView>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<DecisionRow>(
    `SELECT id, outcome, model, score, rules_score, customer_reason, reasons, created_at, review, reviewed_by, reviewed_at
     FROM fraud_decisions WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        outcome: r.outcome,
        model: r.model,
        score: r.score,
        rulesScore: r.rules_score,
        customerReason: r.customer_reason,
        reasons: r.reasons,
        decidedAt: r.created_at.toISOString(),
        review:
          r.review && r.reviewed_by && r.reviewed_at
            ? { outcome: r.review, by: r.reviewed_by, at: r.reviewed_at.toISOString() }
            : null,
      },
    ]),
  );
}

/** Approved: the customer's own payment (legitimate); rejected: fraud. Recorded once; a second review changes nothing. */
async function recordReview(tx: Queryable, review: ReviewRecord): Promise<void> {
  await tx.query(
    `UPDATE fraud_decisions SET review = $2, reviewed_by = $3, reviewed_at = now(), label = $4
     WHERE id = $1 AND review IS NULL`,
    [review.decisionId, review.review, review.operatorId, review.review === 'approved' ? 'legitimate' : 'fraud'],
  );
}

/**
 * Fraud scoring of transfers (docs/adr/0130, 0131, 0132): one feature query, the model and the
 * explicit rules side by side, a decision mapped onto allow / step_up / hold / decline, stored
 * before payments acts on it. The model is loaded at start (checks wait for it) and switched when
 * its artifact changes (`refreshModel`, polled by startModelRefresh).
 */
export function createRiskService(deps: Pick<AppDependencies, 'db' | 'config'>): RiskService {
  const { db, config } = deps;
  const holder = createModelHolder(db, artifactSource(config.fraudModelPath, fraudModelBytesMax, config.fraudModelS3));
  const storeDecision = createDecisionStore(db);
  const readSnapshot = createSnapshotReader(db);
  const enforced = config.riskEnforced;
  const check: RiskCheck = async (command) => {
    await holder.started;
    // One model for the whole decision, even if a refresh switches it meanwhile.
    const loaded = holder.current();
    const values = featureVector(await readSnapshot(command));
    const rules = rulesAssessment(values);
    const scorer = loaded.kind === 'model' ? loaded.scorer : null;
    const scored = scorer ? assessed(scorer, values, rules, command.toOwnAccount) : null;
    const verdict = scored?.verdict ?? decide(null, null, rules, command.toOwnAccount);
    // Stored before payments acts on it: a decline is explainable even if the answer is lost.
    const stored = await storeDecision(
      newDecision(command, values, { model: scored?.model ?? null, rules, verdict }, loaded.label, enforced),
    );
    // Monitoring (RISK_SCORING=monitor): recorded as decided, acted on as allowed.
    return enforced ? decisionOf(stored) : { outcome: 'allow', decisionId: stored.id };
  };
  /**
   * Polls the artifact every FRAUD_MODEL_REFRESH_MS (none when 0); `report` hears each switch and
   * each new problem (not the same one again every poll). Returns the stop function.
   */
  function startModelRefresh(report: (refresh: Exclude<ModelRefresh, { outcome: 'unchanged' }>) => void): () => void {
    if (config.fraudModelRefreshMs === 0) return () => {};
    let lastProblem: string | undefined;
    const timer = setInterval(() => {
      void holder.refresh().then(
        (result) => {
          if (result.outcome === 'unchanged') return;
          if (result.outcome === 'failed' && result.problem === lastProblem) return;
          lastProblem = result.outcome === 'failed' ? result.problem : undefined;
          report(result);
        },
        () => {
          // refresh never rejects: a failure is an outcome.
        },
      );
    }, config.fraudModelRefreshMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  return {
    check,
    model: holder.started,
    refreshModel: holder.refresh,
    startModelRefresh,
    decisionsById,
    recordReview,
  };
}
