/**
 * A trained model and everything needed to use it again, as one JSON document: the network
 * (topology and weights), the feature list in input order, the normalisation fitted on the
 * training data, the data seed it was trained on, its evaluation metrics and a version. Stored in
 * the repository or an object store as is; `sha256` covers every other field, so a damaged or
 * edited artifact is refused on load instead of scoring with the wrong weights.
 */
import { createHash } from 'node:crypto';
import type { LayersModel } from '@tensorflow/tfjs';
import type { DriftReference } from './drift.ts';
import { tensorflow } from './tensorflow.ts';

export const artifactFormat = 'nextgen-model/1';

export interface Normalisation {
  /** Per feature, in `features` order: x' = (x − mean) / scale. */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
}

export interface ArtifactInfo {
  readonly name: string;
  readonly version: string;
  readonly features: readonly string[];
  readonly normalisation: Normalisation;
  /** The generator seed (or source) of the training data. */
  readonly dataSeed: number | string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly createdAt: string;
  /**
   * The training rows' distributions (each feature and the score), for drift checks on live
   * traffic. Optional: artifacts saved before it existed still load; covered by `sha256` like the rest.
   */
  readonly drift?: DriftReference;
}

export interface ModelArtifact extends ArtifactInfo {
  readonly format: typeof artifactFormat;
  readonly topology: unknown;
  readonly weightSpecs: readonly unknown[];
  /** The weights, base64. */
  readonly weights: string;
  readonly sha256: string;
}

export class InvalidArtifact extends Error {
  override readonly name = 'InvalidArtifact';
}

/** JSON with sorted keys: the same artifact always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const digest = (artifact: Omit<ModelArtifact, 'sha256'>) =>
  createHash('sha256').update(canonical(artifact)).digest('hex');

function joinBuffers(data: ArrayBuffer | ArrayBuffer[]): Buffer {
  return Buffer.concat((Array.isArray(data) ? data : [data]).map((part) => Buffer.from(part)));
}

/**
 * The version of a model trained off the committed recipe (other data, reviewed labels, other
 * options): the code's version with a hash of its weights as semver build metadata, e.g.
 * `1.4.0+3f2a9c1d0b7e`, so stored decisions, insights and drift reports never take a bank's
 * retrained model for the committed artifact, or two retrainings for one another.
 */
export const variantVersion = (version: string, weightsBase64: string) =>
  `${version}+${createHash('sha256').update(weightsBase64).digest('hex').slice(0, 12)}`;

/** `variant`: trained off the committed recipe, so the version gets its weights' hash (variantVersion). */
export async function saveModelArtifact(
  model: LayersModel,
  info: ArtifactInfo,
  { variant = false }: { readonly variant?: boolean } = {},
): Promise<ModelArtifact> {
  if (
    info.features.length !== info.normalisation.mean.length ||
    info.features.length !== info.normalisation.scale.length
  ) {
    throw new InvalidArtifact('the normalisation must name every feature once');
  }
  if (info.drift !== undefined && !isDriftReference(info.drift)) {
    throw new InvalidArtifact('the drift reference must hold edges and shares for the score and each feature');
  }
  const tf = await tensorflow();
  let saved: Omit<ModelArtifact, 'sha256'> | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.weightData || !artifacts.weightSpecs) throw new InvalidArtifact('the model has no weights');
      saved = {
        format: artifactFormat,
        ...info,
        topology: artifacts.modelTopology,
        weightSpecs: artifacts.weightSpecs,
        weights: joinBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]).toString('base64'),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(info.createdAt), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new InvalidArtifact('the model was not saved');
  if (variant) saved = { ...saved, version: variantVersion(info.version, saved.weights) };
  return { ...saved, sha256: digest(saved) };
}

const isBins = (value: unknown): boolean => {
  const bins = value as { edges?: unknown; shares?: unknown } | null;
  return (
    !!bins &&
    Array.isArray(bins.edges) &&
    Array.isArray(bins.shares) &&
    bins.shares.length === bins.edges.length + 1 &&
    [...bins.edges, ...bins.shares].every((x) => typeof x === 'number' && Number.isFinite(x))
  );
};

/** The shape a drift reference must have; the hash already vouches for its numbers. */
function isDriftReference(value: unknown): value is DriftReference {
  const reference = value as { features?: unknown; score?: unknown } | null;
  return (
    !!reference &&
    isBins(reference.score) &&
    !!reference.features &&
    typeof reference.features === 'object' &&
    Object.values(reference.features).every(isBins)
  );
}

/** Checks the format and the hash, then rebuilds the network. */
export async function loadModelArtifact(artifact: unknown): Promise<{ model: LayersModel; info: ArtifactInfo }> {
  if (!artifact || typeof artifact !== 'object') throw new InvalidArtifact('an artifact is a JSON object');
  const candidate = artifact as ModelArtifact;
  if (candidate.format !== artifactFormat) {
    throw new InvalidArtifact(
      `unknown artifact format ${JSON.stringify(candidate.format)}; expected ${artifactFormat}`,
    );
  }
  const { sha256, ...rest } = candidate;
  if (typeof sha256 !== 'string' || digest(rest) !== sha256) {
    throw new InvalidArtifact('the artifact does not match its sha256: it was damaged or edited');
  }
  if (candidate.drift !== undefined && !isDriftReference(candidate.drift)) {
    throw new InvalidArtifact('the drift reference must hold edges and shares for the score and each feature');
  }
  const tf = await tensorflow();
  const weights = Buffer.from(candidate.weights, 'base64');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: candidate.topology as object,
      weightSpecs: candidate.weightSpecs as never,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    }),
  );
  const { format: _format, topology: _topology, weightSpecs: _specs, weights: _weights, ...info } = rest;
  return { model, info };
}
