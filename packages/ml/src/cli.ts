/**
 * `./ng ml <command>`: the ml package's command line.
 *
 *   ./ng ml generate --out FILE [--seed N] [--customers N] [--days N] [--start YYYY-MM-DD] [--fraud-rate R]
 *   ./ng ml validate --input FILE
 *   ./ng ml train [--input FILE | --seed N --customers N --days N --fraud-rate R --worlds N] [--labels FILE] [--out FILE] [--epochs N] [--members N]
 *   ./ng ml evaluate [--model FILE] [--input FILE | --seed N --customers N --days N --fraud-rate R]
 *   ./ng ml insights-train [--seed N] [--out FILE] [--epochs N] [--labels FILE]…
 *   ./ng ml insights-evaluate [--model FILE] [--seed N]
 *
 * Exit codes: 0 done, 1 the input is malformed or writing failed, 2 a bad command line.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArtifact } from './artifact.ts';
import { maxReportedErrors } from './constants.ts';
import { labelledSet, UnlabelledRow } from './fraud/dataset.ts';
import { describeEvaluation, evaluateScorer } from './fraud/evaluate.ts';
import { readFraudLabels } from './fraud/labels.ts';
import { FraudScorer } from './fraud/scorer.ts';
import { defaultTrainingOptions, maxMembers, trainFraudModel } from './fraud/train.ts';
import { insightsEvaluate, insightsTrain } from './insights/cli.ts';
import { InterchangeError } from './interchange/check.ts';
import type { Transaction } from './interchange/format.ts';
import { readTransactionFile, validateTransactions } from './interchange/reader.ts';
import { describeTally, TallyCounter } from './interchange/tally.ts';
import { TransactionWriter } from './interchange/writer.ts';
import {
  defaultGenerationOptions,
  type GenerationOptions,
  generateTransactions,
  generationOptionsProblem,
} from './synthetic/generator.ts';

const usage = [
  'usage: ./ng ml generate --out FILE [--seed N] [--customers N] [--days N] [--start YYYY-MM-DD] [--fraud-rate R]',
  '       ./ng ml validate --input FILE',
  '       ./ng ml train [--input FILE | --seed N --customers N --days N --fraud-rate R --worlds N] [--labels FILE] [--out FILE] [--epochs N] [--members N]',
  '       ./ng ml evaluate [--model FILE] [--input FILE | --seed N --customers N --days N --fraud-rate R]',
  '       ./ng ml insights-train [--seed N] [--out FILE] [--epochs N] [--labels FILE]…',
  '       ./ng ml insights-evaluate [--model FILE] [--seed N]',
].join('\n');

/** The committed model, which `train` writes and `evaluate` reads unless told otherwise. */
const defaultModelPath = path.join(import.meta.dirname, '..', 'models', 'fraud.json');
/**
 * The data `train` generates without --input: enough fraud cases (40 a scenario) to learn from,
 * in about 10 s; `evaluate` generates the same shape with another seed.
 */
const trainingData: GenerationOptions = { ...defaultGenerationOptions, customers: 2000, fraudRate: 0.1 };
const evaluationSeed = 15;
/**
 * Generated worlds `train` learns from: the training seed's, split by time, and the seeds just
 * below it (13 for 14), every row of theirs in the training period. Another world doubles the
 * fraud cases without changing what a row looks like: a world of twice the customers would (more
 * customers pay each merchant), and lost on seeds 15 and 16 (bench/RESULTS.md, Detection).
 */
const trainingWorlds = 2;
const maxTrainingWorlds = 8;

/** A bad command line: one line on stderr, exit code 2. */
class UsageError extends Error {}

function integerOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function rateOption(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^(?:0|1|0?\.\d+|1\.0*)$/.test(text))
    throw new UsageError(`--fraud-rate must be a number from 0 to 1, got ${JSON.stringify(text)}`);
  return Number(text);
}

function parse(args: string[], options: Record<string, { type: 'string' }>): Record<string, string | undefined> {
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return values as Record<string, string | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

async function openOutput(path: string): Promise<WriteStream> {
  const out = createWriteStream(path);
  try {
    await once(out, 'open');
  } catch (error) {
    throw new UsageError(`--out ${path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return out;
}

async function generate(args: string[]): Promise<number> {
  const values = parse(args, {
    seed: { type: 'string' },
    customers: { type: 'string' },
    days: { type: 'string' },
    start: { type: 'string' },
    'fraud-rate': { type: 'string' },
    out: { type: 'string' },
  });
  const d = defaultGenerationOptions;
  const options: GenerationOptions = {
    seed: integerOption('seed', values.seed, d.seed),
    customers: integerOption('customers', values.customers, d.customers),
    days: integerOption('days', values.days, d.days),
    start: values.start ?? d.start,
    fraudRate: rateOption(values['fraud-rate'], d.fraudRate),
  };
  const problem = generationOptionsProblem(options);
  if (problem) throw new UsageError(`--${problem}`);
  if (!values.out) throw new UsageError('--out FILE is required');
  const startedMs = performance.now();
  const writer = new TransactionWriter(await openOutput(values.out));
  const tally = new TallyCounter();
  for (const row of generateTransactions(options)) {
    await writer.write(row);
    tally.add(row);
  }
  await writer.end();
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  const summary = [`wrote ${values.out} in ${seconds} s (seed ${options.seed})`, ...describeTally(tally.result())];
  process.stdout.write(`${summary.join('\n')}\n`);
  return 0;
}

const dataOptions = {
  input: { type: 'string' },
  seed: { type: 'string' },
  customers: { type: 'string' },
  days: { type: 'string' },
  'fraud-rate': { type: 'string' },
} as const;

/** The labelled rows of --input, or generated from the options; and what to record as their seed. */
async function dataOf(
  values: Record<string, string | undefined>,
  seed: number,
): Promise<{ rows: AsyncIterable<Transaction> | Iterable<Transaction>; source: number | string }> {
  if (values.input) {
    if (['seed', 'customers', 'days', 'fraud-rate'].some((o) => values[o] !== undefined)) {
      throw new UsageError('--input reads a file: --seed, --customers, --days and --fraud-rate are for generated data');
    }
    const file = await stat(values.input).catch(() => null);
    if (!file?.isFile()) throw new UsageError(`--input ${values.input}: no such file (or not a file)`);
    return { rows: readTransactionFile(values.input), source: path.basename(values.input) };
  }
  const options: GenerationOptions = {
    ...trainingData,
    seed: integerOption('seed', values.seed, seed),
    customers: integerOption('customers', values.customers, trainingData.customers),
    days: integerOption('days', values.days, trainingData.days),
    fraudRate: rateOption(values['fraud-rate'], trainingData.fraudRate),
  };
  const problem = generationOptionsProblem(options);
  if (problem) throw new UsageError(`--${problem}`);
  return { rows: generateTransactions(options), source: options.seed };
}

/** Rows that cannot be read or carry no label: the input's fault, exit 1. */
class BadInput extends Error {}

async function readLabelled(rows: AsyncIterable<Transaction> | Iterable<Transaction>) {
  try {
    return await labelledSet(rows);
  } catch (error) {
    if (error instanceof UnlabelledRow || error instanceof InterchangeError) throw new BadInput(error.message);
    throw error;
  }
}

/** The analysts' labels file (`./ng backoffice fraud-labels`); a malformed one is bad input, exit 1. */
async function readReviewedLabels(file: string) {
  try {
    return await readFraudLabels(file);
  } catch (error) {
    if (error instanceof InterchangeError) throw new BadInput(`--labels ${file}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new BadInput(`--labels ${file}: cannot read it (${code})`);
    throw error;
  }
}

/** What the artifact records as its data: the seed alone when it is one world without reviews (as before). */
function dataSeedOf(source: number | string, otherWorlds: number, reviewedRows: number | undefined): number | string {
  const seeds =
    typeof source === 'number' && otherWorlds > 0
      ? `${source} + ${Array.from({ length: otherWorlds }, (_, k) => source - k - 1).join(', ')}`
      : source;
  return reviewedRows === undefined ? seeds : `${seeds} + ${reviewedRows} reviewed labels`;
}

async function train(args: string[]): Promise<number> {
  const values = parse(args, {
    ...dataOptions,
    out: { type: 'string' },
    epochs: { type: 'string' },
    labels: { type: 'string' },
    worlds: { type: 'string' },
    members: { type: 'string' },
  });
  const out = values.out ?? defaultModelPath;
  const worldCount = integerOption('worlds', values.worlds, trainingWorlds);
  if (values.input && values.worlds !== undefined) throw new UsageError('--worlds is for generated data, not --input');
  if (worldCount < 1 || worldCount > maxTrainingWorlds)
    throw new UsageError(`--worlds must be from 1 to ${maxTrainingWorlds}`);
  const maxEpochs = integerOption('epochs', values.epochs, defaultTrainingOptions.maxEpochs);
  if (maxEpochs < 1 || maxEpochs > 1000) throw new UsageError('--epochs must be from 1 to 1000');
  const members = integerOption('members', values.members, defaultTrainingOptions.members);
  if (members < 1 || members > maxMembers) throw new UsageError(`--members must be from 1 to ${maxMembers}`);
  const startedMs = performance.now();
  const { rows, source } = await dataOf(values, trainingData.seed);
  const data = await readLabelled(rows);
  const worlds = [];
  if (!values.input && typeof source === 'number') {
    if (source < worldCount - 1)
      throw new UsageError(`--seed must be at least ${worldCount - 1} for ${worldCount} worlds`);
    for (let k = 1; k < worldCount; k++) {
      worlds.push(await readLabelled((await dataOf({ ...values, seed: String(source - k) }, source - k)).rows));
    }
  }
  const reviewed = values.labels === undefined ? undefined : await readReviewedLabels(values.labels);
  const featuresS = (performance.now() - startedMs) / 1000;
  let report: Awaited<ReturnType<typeof trainFraudModel>>;
  try {
    report = await trainFraudModel(
      data,
      { ...defaultTrainingOptions, maxEpochs, members },
      {
        dataSeed: dataSeedOf(source, worlds.length, reviewed?.set.rows),
        createdAt: new Date().toISOString(),
        // Only the committed recipe (`./ng ml train` with no options but --out) keeps the plain version.
        variant: Object.entries(values).some(([name, value]) => name !== 'out' && value !== undefined),
      },
      reviewed?.set,
      worlds,
    );
  } catch (error) {
    if (error instanceof RangeError) throw new BadInput(error.message);
    throw error;
  }
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report.artifact, null, 2)}\n`).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--out ${out}: cannot write it (${error.code ?? 'error'})`);
  });
  const m = report.artifact.metrics;
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  const f = (name: string) => Number(m[name]).toFixed(3);
  process.stdout.write(
    `${[
      `wrote ${out} in ${seconds} s (features ${featuresS.toFixed(1)} s; data ${source}, ${data.rows} rows${worlds.length ? ` + ${worlds.length} other worlds, ${m.world_rows} rows` : ''}; sha256 ${report.artifact.sha256})`,
      ...(reviewed
        ? [
            `reviewed labels: ${reviewed.set.rows} added to the training period (${m.reviewed_fraud_rows} fraud), ${reviewed.skipped} of ${reviewed.read} left out (decided with fewer features)`,
          ]
        : []),
      ...report.log,
      `kept epoch ${m.best_epoch}${Number(m.members) > 1 ? ` (the first of ${m.members} networks)` : ''}; thresholds: ${f('threshold_fpr_1pct')} at 1 % FPR, ${f('threshold_fpr_0_1pct')} at 0.1 % FPR (validation period)`,
      `test period (last 15 % of the time, ${m.test_rows} rows, ${m.test_fraud_rows} fraud):`,
      `  model: PR-AUC ${f('test_pr_auc')}, recall ${f('test_recall_fpr_0_1pct')} at 0.1 % FPR, ${f('test_recall_fpr_1pct')} at 1 % FPR`,
      `  rules: PR-AUC ${f('rules_test_pr_auc')}, recall ${f('rules_test_recall_fpr_0_1pct')} at 0.1 % FPR, ${f('rules_test_recall_fpr_1pct')} at 1 % FPR`,
    ].join('\n')}\n`,
  );
  return 0;
}

async function evaluate(args: string[]): Promise<number> {
  const values = parse(args, { ...dataOptions, model: { type: 'string' } });
  const modelPath = values.model ?? defaultModelPath;
  const text = await readFile(modelPath, 'utf8').catch(() => {
    throw new UsageError(`--model ${modelPath}: no such file`);
  });
  let scorer: FraudScorer;
  try {
    scorer = await FraudScorer.fromArtifact(JSON.parse(text));
  } catch (error) {
    if (error instanceof InvalidArtifact || error instanceof SyntaxError) {
      throw new BadInput(`--model ${modelPath}: ${error.message}`);
    }
    throw error;
  }
  const { rows, source } = await dataOf(values, evaluationSeed);
  const data = await readLabelled(rows);
  if (!data.labels.includes(1) || !data.labels.includes(0)) {
    throw new BadInput('the input needs both fraud rows and legitimate rows to be evaluated on');
  }
  const lines = describeEvaluation(evaluateScorer(scorer, data));
  process.stdout.write(
    `model ${scorer.name} ${scorer.version} (${scorer.sha256.slice(0, 12)}) on ${source}\n${lines.join('\n')}\n`,
  );
  return 0;
}

async function validate(args: string[]): Promise<number> {
  const values = parse(args, { input: { type: 'string' } });
  if (!values.input) throw new UsageError('--input FILE is required');
  const input = values.input;
  const file = await stat(input).catch(() => null);
  if (!file?.isFile()) throw new UsageError(`--input ${input}: no such file (or not a file)`);
  const report = await validateTransactions(createReadStream(input, { encoding: 'utf8' }));
  if (report.errors.length > 0) {
    const more =
      report.errors.length >= maxReportedErrors ? ` (the first ${maxReportedErrors}; stopped reading there)` : '';
    process.stderr.write(`${input}: malformed${more}\n${report.errors.map((e) => `  ${e.message}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`${input}: valid, ${report.lines} lines\n${describeTally(report.tally).join('\n')}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'generate') return generate(args);
  if (command === 'validate') return validate(args);
  if (command === 'train') return train(args);
  if (command === 'evaluate') return evaluate(args);
  if (command === 'insights-train') return insightsTrain(args);
  if (command === 'insights-evaluate') return insightsEvaluate(args);
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(`${usage}\n`);
    return command === undefined ? 2 : 0;
  }
  throw new UsageError(
    `unknown command ${JSON.stringify(command)} (generate, validate, train, evaluate, insights-train or insights-evaluate)`,
  );
}

try {
  process.exitCode = await main(process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')));
} catch (error) {
  if (error instanceof BadInput) {
    process.stderr.write(`ml: ${error.message}\n`);
    process.exitCode = 1;
  } else if (!(error instanceof UsageError)) {
    process.stderr.write(`ml: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`ml: ${error.message}\n`);
    process.exitCode = 2;
  }
}
