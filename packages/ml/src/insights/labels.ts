/**
 * Customers' category corrections as training labels (docs/ml/category-labels.md): the API exports
 * one JSON line per correction of a card payment (`./ng backoffice category-labels`) with the text
 * as the categoriser reads it; `./ng ml insights-train --labels FILE` adds them to the training
 * texts. A line carries no customer, account, transaction, amount or IBAN, and its text is the
 * normalised one (lower case, no digits or punctuation): the reader refuses a line whose text is
 * not, so a raw booking text with its references and numbers never reaches a training run.
 */
import { maxIdLength } from '../constants.ts';
import { InterchangeError, parseTime } from '../interchange/check.ts';
import { type Channel, channels } from '../interchange/format.ts';
import { strictLinesOf } from '../interchange/reader.ts';
import { type Category, isCategory } from './categories.ts';
import type { LabelledText } from './dataset.ts';
import { normaliseText, type TextInput } from './text.ts';

export const categoryLabelsFormat = 'nextgen-category-labels/1';

/** One line of the file, as the API writes it (the field order is the documented one). */
export interface CategoryLabel {
  readonly format: typeof categoryLabelsFormat;
  /** The booking text after normaliseText: what the model's features are made of. */
  readonly text: string;
  readonly channel: Channel;
  readonly moneyIn: boolean;
  /** The customer's category. */
  readonly category: Category;
  /** What the text model said when the customer corrected it; null when not known. */
  readonly modelCategory: Category | null;
  /** The model that said it (`categoriser@1.0.0`); null when not known. */
  readonly model: string | null;
  readonly correctedAt: string;
}

/** A correction as training reads it. */
export interface CorrectedText {
  readonly input: TextInput;
  readonly label: Category;
  readonly modelCategory: Category | null;
  readonly correctedAtMs: number;
}

export interface CorrectedLabels {
  readonly corrections: readonly CorrectedText[];
  /** Lines read. */
  readonly read: number;
}

const fields: ReadonlySet<string> = new Set([
  'format',
  'text',
  'channel',
  'moneyIn',
  'category',
  'modelCategory',
  'model',
  'correctedAt',
]);
const channelSet: ReadonlySet<string> = new Set(channels);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const modelPattern = /^[^\u0000-\u001f\u007f\s]+$/;

function objectOf(text: string, line: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InterchangeError(line, null, 'is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InterchangeError(line, null, 'is not a JSON object');
  const object = parsed as Record<string, unknown>;
  for (const name of Object.keys(object))
    if (!fields.has(name)) throw new InterchangeError(line, name, `is not a field of ${categoryLabelsFormat}`);
  return object;
}

/** The text as the categoriser reads it, or an error naming the line: nothing else may train. */
function textOf(value: unknown, line: number): string {
  if (typeof value !== 'string' || value === '') throw new InterchangeError(line, 'text', 'must be a non-empty string');
  if (normaliseText(value) !== value)
    throw new InterchangeError(
      line,
      'text',
      'must be normalised as the categoriser reads it (lower-case letters a-z, single spaces, no digits)',
    );
  return value;
}

function parseLine(text: string, line: number): CorrectedText {
  const o = objectOf(text, line);
  if (o.format !== categoryLabelsFormat)
    throw new InterchangeError(line, 'format', `must be ${JSON.stringify(categoryLabelsFormat)}`);
  const description = textOf(o.text, line);
  if (typeof o.channel !== 'string' || !channelSet.has(o.channel))
    throw new InterchangeError(line, 'channel', `must be one of ${channels.join(', ')}`);
  if (typeof o.moneyIn !== 'boolean') throw new InterchangeError(line, 'moneyIn', 'must be true or false');
  if (!isCategory(o.category)) throw new InterchangeError(line, 'category', 'must be a known category');
  if (o.modelCategory !== null && !isCategory(o.modelCategory))
    throw new InterchangeError(line, 'modelCategory', 'must be a known category or null');
  if (o.model !== null && (typeof o.model !== 'string' || o.model.length > maxIdLength || !modelPattern.test(o.model)))
    throw new InterchangeError(line, 'model', `must be null or a model name of at most ${maxIdLength} characters`);
  const correctedAtMs = typeof o.correctedAt === 'string' ? parseTime(o.correctedAt) : Number.NaN;
  if (Number.isNaN(correctedAtMs)) throw new InterchangeError(line, 'correctedAt', 'must be an ISO 8601 UTC time (…Z)');
  return {
    input: { description, channel: o.channel as Channel, moneyIn: o.moneyIn },
    label: o.category,
    modelCategory: o.modelCategory,
    correctedAtMs,
  };
}

/**
 * Reads a labels file, strictly: a malformed line (or a field the format does not have) is an
 * InterchangeError naming the line and the field, and nothing of the file is used.
 */
export async function readCategoryLabels(file: string): Promise<CorrectedLabels> {
  const corrections: CorrectedText[] = [];
  let read = 0;
  for await (const { text, line } of strictLinesOf(file)) {
    read = line;
    corrections.push(parseLine(text, line));
  }
  return { corrections, read };
}

/** The model's input as one string: corrections and generated texts meet when the model cannot tell them apart. */
const textKey = (input: TextInput) =>
  `${input.channel}\u0000${input.moneyIn ? 'in' : 'out'}\u0000${normaliseText(input.description)}`;

/**
 * The category of each corrected text: the one most of its corrections name (customers may
 * disagree), the most recently named of those on a tie, then the first in name order.
 */
function resolvedCategories(corrections: readonly CorrectedText[]): Map<string, Category> {
  const votes = new Map<string, Map<Category, { count: number; latestMs: number }>>();
  for (const c of corrections) {
    const key = textKey(c.input);
    const byCategory = votes.get(key) ?? new Map<Category, { count: number; latestMs: number }>();
    const vote = byCategory.get(c.label) ?? { count: 0, latestMs: Number.NEGATIVE_INFINITY };
    byCategory.set(c.label, { count: vote.count + 1, latestMs: Math.max(vote.latestMs, c.correctedAtMs) });
    votes.set(key, byCategory);
  }
  const out = new Map<string, Category>();
  for (const [key, byCategory] of votes) {
    const [winner] = [...byCategory].sort(
      ([a, x], [b, y]) => y.count - x.count || y.latestMs - x.latestMs || (a < b ? -1 : 1),
    );
    if (winner) out.set(key, winner[0]);
  }
  return out;
}

export interface CorrectedTraining {
  readonly examples: readonly LabelledText[];
  readonly heldOut: readonly LabelledText[];
  /** For the artifact: corrections added, their distinct texts, generated texts relabelled, held-out texts left out. */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * The training texts with the customers' corrections: a generated text the model would read as a
 * corrected one takes the corrected category (the bank's customers know their shops better than
 * the generator), and every correction is added as a training text with its text's category.
 * Held-out texts that a correction names are left out, so the held-out score stays a score on
 * texts training never saw, against the generator's truth; corrections are never scored.
 */
export function withCorrections(
  examples: readonly LabelledText[],
  heldOut: readonly LabelledText[],
  corrections: readonly CorrectedText[],
): CorrectedTraining {
  const corrected = resolvedCategories(corrections);
  let relabelled = 0;
  const generated = examples.map((example) => {
    const label = corrected.get(textKey(example.input));
    if (label === undefined || label === example.label) return example;
    relabelled += 1;
    return { ...example, label };
  });
  const added = corrections.map((c) => ({
    input: c.input,
    label: corrected.get(textKey(c.input)) as Category,
    original: c.input.description,
  }));
  const kept = heldOut.filter((example) => !corrected.has(textKey(example.input)));
  return {
    examples: [...generated, ...added],
    heldOut: kept,
    metrics: {
      corrected_examples: added.length,
      corrected_texts: corrected.size,
      corrected_relabelled: relabelled,
      heldout_corrected_left_out: heldOut.length - kept.length,
    },
  };
}
