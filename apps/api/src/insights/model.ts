import { readFile, stat } from 'node:fs/promises';
import { Categoriser, InvalidArtifact } from '@nextgen/ml';
import { repositoryCategoriserPath } from '../platform/config.ts';
import { categoriserBytesMax } from './constants.ts';

/** The committed artifact (./ng ml insights-train writes it), CATEGORISER_PATH's default. */
export { repositoryCategoriserPath };

/**
 * What categorises lines the customer has not corrected: the trained text model, or nothing (its
 * artifact missing or broken), in which case such lines are 'other' and the insights say which
 * model wrote them (modelVersion 'categoriser-unavailable').
 */
export type CategoriserModel =
  | { readonly kind: 'model'; readonly categoriser: Categoriser; readonly label: string }
  | { readonly kind: 'unavailable'; readonly problem: string; readonly label: 'categoriser-unavailable' };

/**
 * Why the artifact could not be used, in words safe for a log line (no file contents, no stack);
 * the caller puts the path first, so the operator sees which setting to fix.
 */
function problemOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'the categoriser file does not exist';
  if (code === 'EACCES') return 'the categoriser file cannot be read';
  if (error instanceof SyntaxError) return 'the categoriser file is not JSON';
  if (error instanceof InvalidArtifact) return `the artifact is invalid: ${error.message}`;
  if (error instanceof RangeError) return error.message;
  return `the categoriser could not be loaded (${error instanceof Error ? error.name : 'unknown error'})`;
}

/** Loaded artifacts by path: every app a process builds (tests build hundreds) shares one. */
const loadedByPath = new Map<string, Promise<CategoriserModel>>();

/**
 * Loads and checks the artifact once per process and path (format, sha256, labels, layers); a
 * failure is not kept, so a later call tries again. Never rejects.
 */
export function loadCategoriser(modelPath: string = repositoryCategoriserPath): Promise<CategoriserModel> {
  const known = loadedByPath.get(modelPath);
  if (known) return known;
  const loading = readCategoriser(modelPath).then((model) => {
    if (model.kind === 'unavailable') loadedByPath.delete(modelPath);
    return model;
  });
  loadedByPath.set(modelPath, loading);
  return loading;
}

async function readCategoriser(modelPath: string): Promise<CategoriserModel> {
  try {
    const { size } = await stat(modelPath);
    if (size > categoriserBytesMax)
      throw new RangeError(`the categoriser file is larger than ${categoriserBytesMax} bytes`);
    const categoriser = await Categoriser.fromArtifact(JSON.parse(await readFile(modelPath, 'utf8')));
    return { kind: 'model', categoriser, label: `categoriser@${categoriser.version}` };
  } catch (error) {
    return { kind: 'unavailable', problem: `${modelPath}: ${problemOf(error)}`, label: 'categoriser-unavailable' };
  }
}
