import {
  type Category,
  categorise,
  detectRecurring,
  isCategory,
  monthlySpend,
  type RecurringSeries,
  subscriptionKeys,
  type Transaction,
} from '@nextgen/ml';
import type { Currency } from '../platform/money.ts';
import { recurringMerchantLinesMax } from './constants.ts';
import { type Line, lineMerchantKey, toInterchange } from './merchants.ts';
import type { CategoriserModel } from './model.ts';

/**
 * One customer's recent history as the insights see it: each line categorised, the recurring
 * series of each account. Pure: the service and the worker read the lines, this computes.
 */
export interface Picture {
  readonly lines: readonly Line[];
  /** The same lines as interchange rows, in the same (time) order. */
  readonly rows: readonly Transaction[];
  readonly categories: readonly Category[];
  /** Whether the line moved money between two of the customer's own accounts. */
  readonly ownAccount: readonly boolean[];
  readonly series: readonly RecurringSeries[];
  /** Line id → its index in `lines`, `rows` and `categories`. */
  readonly indexById: ReadonlyMap<string, number>;
}

export interface PictureInput {
  readonly customerId: string;
  /** In time order (oldest first). */
  readonly lines: readonly Line[];
  readonly ownIbans: ReadonlySet<string>;
  /** merchant key → the customer's category. */
  readonly overrides: ReadonlyMap<string, Category>;
  readonly model: CategoriserModel;
  /** YYYY-MM-DD: the day recurring series are judged on (missed payments, next dates). */
  readonly asOf: string;
}

const isOwn = (line: Line, ownIbans: ReadonlySet<string>) =>
  line.counterparty_iban !== null && ownIbans.has(line.counterparty_iban);

/**
 * Categorises one line: the customer's correction, then own-account transfers, then what
 * packages/ml decides (a detected subscription, then the text model); without a model, the
 * category the worker stored, else 'other'.
 */
function categoryOf(
  row: Transaction,
  line: Line,
  own: boolean,
  input: Pick<PictureInput, 'overrides' | 'model'>,
  subscriptions: ReadonlySet<string>,
): Category {
  const corrected = input.overrides.get(row.counterparty);
  if (corrected !== undefined) return corrected;
  if (own) return 'transfers';
  if (input.model.kind === 'model') return categorise(row, { model: input.model.categoriser, subscriptions }).category;
  if (row.amountMinor.startsWith('-') && subscriptions.has(row.counterparty)) return 'subscriptions';
  return isCategory(line.category) ? line.category : 'other';
}

/** The rows of merchants with at most recurringMerchantLinesMax lines (the detector's cost bound). */
function recurringCandidates(rows: readonly Transaction[]): Transaction[] {
  const groupOf = (row: Transaction) =>
    `${row.account}\u0000${row.counterparty}\u0000${row.channel}\u0000${row.amountMinor.startsWith('-') ? 'out' : 'in'}`;
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(groupOf(row), (counts.get(groupOf(row)) ?? 0) + 1);
  return rows.filter((row) => (counts.get(groupOf(row)) ?? 0) <= recurringMerchantLinesMax);
}

export function buildPicture(input: PictureInput): Picture {
  const rows = input.lines.map((line) => toInterchange(line, input.customerId));
  const candidates = recurringCandidates(rows);
  // No lines, no series (detectRecurring refuses an as-of date far from the last row).
  const series = candidates.length === 0 ? [] : detectRecurring(candidates, input.asOf);
  const subscriptions = subscriptionKeys(series);
  const ownAccount = input.lines.map((line) => isOwn(line, input.ownIbans));
  const categories = rows.map((row, i) =>
    categoryOf(row, input.lines[i] as Line, ownAccount[i] as boolean, input, subscriptions),
  );
  const indexById = new Map(input.lines.map((line, i) => [line.id, i] as const));
  return { lines: input.lines, rows, categories, ownAccount, series, indexById };
}

/**
 * The categories of history lines as GET /transactions shows them, without reading more history:
 * the correction, own-account transfers, the category the worker stored (which knows the
 * subscriptions), then the text model.
 */
export function historyCategories(
  lines: readonly Line[],
  customerId: string,
  context: Pick<PictureInput, 'overrides' | 'ownIbans' | 'model'>,
): Category[] {
  return lines.map((line) => {
    const corrected = context.overrides.get(lineMerchantKey(line));
    if (corrected !== undefined) return corrected;
    if (isOwn(line, context.ownIbans)) return 'transfers';
    if (isCategory(line.category)) return line.category;
    if (context.model.kind !== 'model') return 'other';
    return categorise(toInterchange(line, customerId), { model: context.model.categoriser }).category;
  });
}

/**
 * What the text model alone says of a line (no correction, no subscription: the history keeps no
 * MCC), with the model's label; null without a model.
 */
export function textModelCategory(
  line: Line,
  customerId: string,
  model: CategoriserModel,
): { category: Category; version: string } | null {
  if (model.kind !== 'model') return null;
  return {
    category: categorise(toInterchange(line, customerId), { model: model.categoriser }).category,
    version: model.label,
  };
}

/**
 * Money out per category per month (YYYY-MM) in one currency: debits only, own-account transfers
 * and the income and transfers categories left out (monthlySpend).
 */
export function spendByMonth(picture: Picture, currency: Currency): Map<Category, Map<string, bigint>> {
  const picked: number[] = [];
  for (const [i, line] of picture.lines.entries()) {
    if (line.direction === 'debit' && line.currency === currency && !picture.ownAccount[i]) picked.push(i);
  }
  return monthlySpend(
    picked.map((i) => picture.rows[i] as Transaction),
    (k) => picture.categories[picked[k] as number] as Category,
  );
}

/** The category a series' lines mostly have (their last line's). */
export function seriesCategory(picture: Picture, series: RecurringSeries): Category {
  const index = picture.indexById.get(series.transactionIds.at(-1) ?? '');
  return index === undefined ? 'other' : (picture.categories[index] as Category);
}

/** Net flow (in minus out) per month of one currency, own-account transfers left out. */
export function netByMonth(picture: Picture, currency: Currency): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [i, row] of picture.rows.entries()) {
    if (row.currency !== currency || picture.ownAccount[i]) continue;
    const month = row.time.slice(0, 7);
    out.set(month, (out.get(month) ?? 0n) + BigInt(row.amountMinor));
  }
  return out;
}
