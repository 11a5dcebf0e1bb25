import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { type ArtifactInfo, loadModelArtifact, saveModelArtifact, thresholdMetric } from '@nextgen/ml';

/** Variants of the committed fraud model for the risk tests: the same weights, saved again. */
const committedModel = path.join(import.meta.dirname, '..', '..', '..', 'packages', 'ml', 'models', 'fraud.json');

/** The committed artifact saved again with `change` applied to its info (a new sha256 to match). */
export async function modelVariant(change: (info: ArtifactInfo) => ArtifactInfo): Promise<string> {
  const { model, info } = await loadModelArtifact(JSON.parse(await readFile(committedModel, 'utf8')));
  return JSON.stringify(await saveModelArtifact(model, change(info)));
}

/**
 * A model file whose hold threshold every payment passes (both thresholds at 0): every payment to
 * another customer is held for review (docs/adr/0131). For tests about what a hold does, not about
 * which payments the model holds.
 */
export async function holdEverythingModel(t: TestContext): Promise<string> {
  const text = await modelVariant((info) => ({
    ...info,
    metrics: { ...info.metrics, [thresholdMetric.fpr01pct]: 0, [thresholdMetric.fpr1pct]: 0 },
  }));
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-hold-model-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'fraud.json');
  await writeFile(file, text);
  return file;
}

/**
 * Settings under which only the risk check decides and every payment to another customer is held:
 * scoring on with the hold-everything model, the other step-up rules off.
 */
export async function holdingEnv(t: TestContext): Promise<Record<string, string>> {
  return {
    RISK_SCORING: 'true',
    FRAUD_MODEL_PATH: await holdEverythingModel(t),
    STEP_UP_NEW_PAYEE: 'false',
    STEP_UP_CUMULATIVE: 'false',
    STEP_UP_THRESHOLD: '100000',
  };
}
