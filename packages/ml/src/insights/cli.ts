/**
 * `./ng ml insights-train` and `./ng ml insights-evaluate`: the categoriser's training and the
 * evaluation of every insight on held-out generated data.
 *
 *   ./ng ml insights-train [--seed N] [--out FILE] [--epochs N] [--labels FILE]…
 *   ./ng ml insights-evaluate [--model FILE] [--seed N]
 *
 * Each returns the exit code: 0 done, 1 a broken model file or failed write, 2 a bad command line.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArtifact } from '../artifact.ts';
import { maxSeed } from '../constants.ts';
import { InterchangeError } from '../interchange/check.ts';
import { Categoriser } from './categoriser.ts';
import { labelledTexts } from './dataset.ts';
import {
  describeInsights,
  evaluateHistories,
  evaluateTextModel,
  evaluateUnseenMerchants,
  heldOutExamples,
  heldOutHistories,
  trainingExamples,
} from './evaluate.ts';
import { type CorrectedText, readCategoryLabels } from './labels.ts';
import { defaultCategoriserTraining, trainCategoriser } from './train.ts';

export const defaultCategoriserPath = path.join(import.meta.dirname, '..', '..', 'models', 'categoriser.json');
/** Training data seed and variation seed of the committed categoriser; evaluation uses other seeds. */
export const categoriserDataSeed = 21;
export const categoriserVariationSeed = 2101;
export const insightsEvaluationSeed = 15;

const trainUsage = 'usage: ./ng ml insights-train [--seed N] [--out FILE] [--epochs N] [--labels FILE]…';
const evaluateUsage = 'usage: ./ng ml insights-evaluate [--model FILE] [--seed N]';

class UsageError extends Error {}

/** Options given once each (`names`), and `--labels`, which may be given again, where `withLabels`. */
function parse(
  args: string[],
  names: string[],
  withLabels = false,
): { values: Record<string, string | undefined>; labels: string[] } {
  try {
    const options = {
      ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const, multiple: false }])),
      ...(withLabels ? { labels: { type: 'string' as const, multiple: true } } : {}),
    };
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    const { labels = [], ...single } = values as Record<string, string | undefined> & { labels?: string[] };
    return { values: single, labels };
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

function integer(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > max)
    throw new UsageError(`--${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** The customers' corrections of every `--labels` file; a malformed or unreadable one stops the run (exit 1). */
async function readCorrections(files: readonly string[]): Promise<CorrectedText[]> {
  const corrections: CorrectedText[] = [];
  for (const file of files) {
    try {
      corrections.push(...(await readCategoryLabels(file)).corrections);
    } catch (error) {
      if (error instanceof InterchangeError) throw new Error(`--labels ${file}: ${error.message}`);
      const code = (error as NodeJS.ErrnoException).code;
      if (code) throw new Error(`--labels ${file}: cannot read it (${code})`);
      throw error;
    }
  }
  return corrections;
}

async function run(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`ml: ${error.message}\n${usage}\n`);
      return 2;
    }
    process.stderr.write(`ml: ${(error as Error).message}\n`);
    return 1;
  }
}

/**
 * Trains the categoriser on generated rows (seed --seed) and the customers' corrections of the
 * `--labels` files, scores it on held-out generated texts, writes the artifact.
 */
export function insightsTrain(args: string[]): Promise<number> {
  return run(trainUsage, async () => {
    const { values, labels } = parse(args, ['seed', 'out', 'epochs'], true);
    const seed = integer('seed', values.seed, categoriserDataSeed, maxSeed);
    if (seed === insightsEvaluationSeed)
      throw new UsageError(`--seed ${seed} is the evaluation seed; train on another`);
    const epochs = integer('epochs', values.epochs, defaultCategoriserTraining.epochs, 200);
    if (epochs < 1) throw new UsageError('--epochs must be from 1 to 200');
    const out = values.out ?? defaultCategoriserPath;
    // Read first: a malformed file stops the run before the generation's seconds are spent.
    const corrections = await readCorrections(labels);
    const startedMs = performance.now();
    const examples = labelledTexts(trainingExamples(seed, categoriserVariationSeed));
    const seen = new Set(examples.map((e) => e.input.description));
    const heldOut = labelledTexts(heldOutExamples(insightsEvaluationSeed)).filter(
      (e) => !seen.has(e.input.description),
    );
    const report = await trainCategoriser(
      examples,
      heldOut,
      { ...defaultCategoriserTraining, epochs },
      {
        dataSeed: seed,
        createdAt: new Date().toISOString(),
        variationSeed: categoriserVariationSeed,
        heldOutSeed: insightsEvaluationSeed,
        // Only the committed recipe (`./ng ml insights-train` with no options but --out) keeps the plain version.
        variant: labels.length > 0 || values.seed !== undefined || values.epochs !== undefined,
      },
      corrections,
    );
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(report.artifact, null, 2)}\n`);
    const m = report.artifact.metrics;
    const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
    process.stdout.write(
      `${[
        `wrote ${out} in ${seconds} s (data seed ${seed}, ${examples.length} texts; sha256 ${report.artifact.sha256})`,
        ...(labels.length > 0
          ? [
              `customers' corrections: ${m.corrected_examples} from ${labels.length} file(s) added to the training texts (${m.corrected_texts} distinct texts; ${m.corrected_relabelled} generated texts relabelled, ${m.heldout_corrected_left_out} held-out texts left out)`,
            ]
          : []),
        ...report.log,
        `held-out texts (seed ${insightsEvaluationSeed}, never seen in training): ${m.heldout_examples}, accuracy ${(100 * Number(m.heldout_accuracy)).toFixed(1)} %`,
      ].join('\n')}\n`,
    );
    return 0;
  });
}

/** Scores the categoriser, the recurring detector and the forecast on held-out generated data (seed --seed). */
export function insightsEvaluate(args: string[]): Promise<number> {
  return run(evaluateUsage, async () => {
    const { values } = parse(args, ['model', 'seed']);
    const modelPath = values.model ?? defaultCategoriserPath;
    const seed = integer('seed', values.seed, insightsEvaluationSeed, maxSeed - 1_000_003);
    const text = await readFile(modelPath, 'utf8').catch(() => {
      throw new UsageError(`--model ${modelPath}: no such file`);
    });
    let model: Categoriser;
    try {
      model = await Categoriser.fromArtifact(JSON.parse(text));
    } catch (error) {
      if (error instanceof InvalidArtifact || error instanceof SyntaxError)
        throw new Error(`--model ${modelPath}: ${error.message}`);
      throw error;
    }
    const { dataSeed, variationSeed } = model.info;
    if (seed === dataSeed)
      throw new UsageError(`--seed ${seed} is the seed the model was trained on; evaluate on another`);
    const startedMs = performance.now();
    const seen =
      typeof dataSeed === 'number'
        ? new Set(labelledTexts(trainingExamples(dataSeed, variationSeed)).map((e) => e.input.description))
        : new Set<string>();
    const lines = describeInsights(
      evaluateTextModel(model, seed, seen),
      evaluateUnseenMerchants(model),
      evaluateHistories(model, heldOutHistories(seed)),
    );
    const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
    process.stdout.write(
      `categoriser ${model.version} (${model.sha256.slice(0, 12)}) on seed ${seed}, ${seconds} s\n${lines.join('\n')}\n`,
    );
    return 0;
  });
}
