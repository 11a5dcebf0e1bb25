import { readFile, stat } from 'node:fs/promises';
import { FraudScorer, InvalidArtifact } from '@nextgen/ml';
import { fraudModelBytesMax } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import { newId } from '../platform/ids.ts';
import { insertOutboxEvent } from '../platform/outbox.ts';

/** What scores transfers: the trained model (and the rules beside it), or the rules alone. */
export type ScoringModel =
  | { readonly kind: 'model'; readonly scorer: FraudScorer; readonly label: string }
  | { readonly kind: 'rules-only'; readonly problem: string; readonly label: 'rules-only' };

/** Why the artifact could not be used, in words safe for a log line (no file contents, no stack). */
function problemOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'the model file does not exist';
  if (code === 'EACCES') return 'the model file cannot be read';
  if (error instanceof SyntaxError) return 'the model file is not JSON';
  if (error instanceof InvalidArtifact) return `the artifact is invalid: ${error.message}`;
  return `the model could not be loaded (${error instanceof Error ? error.name : 'unknown error'})`;
}

async function readScorer(modelPath: string): Promise<FraudScorer> {
  const { size } = await stat(modelPath);
  if (size > fraudModelBytesMax) throw new Error(`the model file is larger than ${fraudModelBytesMax} bytes`);
  return FraudScorer.fromArtifact(JSON.parse(await readFile(modelPath, 'utf8')));
}

/**
 * Loads the artifact once. A missing or broken one leaves the rules deciding alone (never allow-all)
 * and raises `risk.model_unavailable` once per start through the outbox, so operators learn of it
 * from the alerting consumers rather than from a log line alone. Never rejects: a failure to write
 * the alert must not take transfers down with it (the warning log still says it).
 */
export async function loadScoringModel(db: Queryable, modelPath: string): Promise<ScoringModel> {
  try {
    const scorer = await readScorer(modelPath);
    return { kind: 'model', scorer, label: `${scorer.name}@${scorer.version}` };
  } catch (error) {
    const problem = problemOf(error);
    try {
      await insertOutboxEvent(db, {
        id: newId('outboxEvent'),
        topic: 'risk.model_unavailable',
        aggregateId: 'fraud-model',
        payload: { problem, scoring: 'rules-only', at: new Date().toISOString() },
      });
    } catch {
      // Reported with the warning below (modelProblem); transfers go on under the rules.
    }
    return { kind: 'rules-only', problem, label: 'rules-only' };
  }
}
