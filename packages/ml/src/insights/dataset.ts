/**
 * Labelled bookings for the categoriser, from the generator: the true category of a row is what
 * the generator meant by it (its scheduled series, its card categories), not what our MCC table
 * or model say, so both can be scored against it.
 */
import type { Transaction } from '../interchange/format.ts';
import { type GenerationOptions, generateTransactions } from '../synthetic/generator.ts';
import { Random, randomFor } from '../synthetic/random.ts';
import { type RecurringTruth, recurringOf, recurringTruth } from '../synthetic/truth.ts';
import { type Category, categories, mccCategory } from './categories.ts';
import type { TextInput } from './text.ts';
import { describeVariant } from './variation.ts';

const kindCategory: Record<RecurringTruth['kind'], Category> = {
  salary: 'income',
  rent: 'rent_housing',
  bill: 'bills_utilities',
  subscription: 'subscriptions',
};

/** The category the generator meant: its series first, then the shop's code, then cash or a transfer. */
export function trueCategory(row: Transaction, truth: ReadonlyMap<string, readonly RecurringTruth[]>): Category {
  const series = recurringOf(truth, row);
  if (series) return kindCategory[series.kind];
  if (row.channel === 'atm') return 'cash';
  // Every card row's MCC is one of the generator's category codes, all in the table.
  const byCode = row.mcc === null ? undefined : mccCategory(row.mcc);
  if (byCode !== undefined) return byCode;
  return 'transfers';
}

export interface LabelledText {
  readonly input: TextInput;
  readonly label: Category;
  /** The generator's own booking text, before any variation. */
  readonly original: string;
}

export interface ExampleOptions {
  readonly data: GenerationOptions;
  /** Seeds the description variants (another seed for evaluation than for training). */
  readonly variationSeed: number;
  /** Share of examples whose text is varied; the rest keep the generator's text. */
  readonly variedShare: number;
  /** Most examples a category contributes (stratified sample); Infinity for all. */
  readonly perCategory: number;
}

/** Labelled texts from generated rows: stratified by category, each text varied with `variedShare`. */
export function labelledTexts(options: ExampleOptions): LabelledText[] {
  const truth = recurringTruth(options.data);
  const byCategory = new Map<Category, Transaction[]>(categories.map((c) => [c, []]));
  for (const row of generateTransactions(options.data)) byCategory.get(trueCategory(row, truth))?.push(row);
  const pick = randomFor(options.variationSeed, 'sample');
  const vary = new Random(options.variationSeed);
  const out: LabelledText[] = [];
  for (const [label, rows] of byCategory) {
    const chosen = rows.length <= options.perCategory ? rows : pick.shuffle([...rows]).slice(0, options.perCategory);
    for (const row of chosen) {
      const description = vary.chance(options.variedShare)
        ? describeVariant(vary, row.description, row.channel)
        : row.description;
      const input = { description, channel: row.channel, moneyIn: !row.amountMinor.startsWith('-') };
      out.push({ input, label, original: row.description });
    }
  }
  return out;
}
