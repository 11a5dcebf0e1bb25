/**
 * `./ng ml <command>`: the ml package's command line.
 *
 *   ./ng ml generate --out FILE [--seed N] [--customers N] [--days N] [--start YYYY-MM-DD] [--fraud-rate R]
 *   ./ng ml validate --input FILE
 *
 * Exit codes: 0 done, 1 the input is malformed or writing failed, 2 a bad command line.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { maxReportedErrors } from './constants.ts';
import { validateTransactions } from './interchange/reader.ts';
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
].join('\n');

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
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(`${usage}\n`);
    return command === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)} (generate or validate)`);
}

try {
  process.exitCode = await main(process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')));
} catch (error) {
  if (!(error instanceof UsageError)) {
    process.stderr.write(`ml: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`ml: ${error.message}\n`);
    process.exitCode = 2;
  }
}
