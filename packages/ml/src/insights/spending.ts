/**
 * Spending against the customer's own history and their budgets: pure functions over amounts
 * already categorised (categorise) and summed per calendar month (UTC). Spend is counted as a
 * positive number of minor units (money out; refunds reduce it).
 */
import type { Transaction } from '../interchange/format.ts';
import type { Category } from './categories.ts';
import {
  budgetExceededPercent,
  budgetWarnPercent,
  minHistoryMonths,
  surplusSavingsPercent,
  unusualRobustZ,
} from './constants.ts';
import type { RecurringSeries } from './recurring.ts';

/** YYYY-MM of a row's UTC time. */
export const monthOf = (time: string): string => time.slice(0, 7);

/**
 * Spend per category per month (YYYY-MM) of categorised rows: money out counts, money back
 * (a refund) is subtracted; income and transfers are not spending and are left out.
 */
export function monthlySpend(
  rows: readonly Pick<Transaction, 'time' | 'amountMinor'>[],
  categoryOf: (index: number) => Category,
): Map<Category, Map<string, bigint>> {
  const out = new Map<Category, Map<string, bigint>>();
  for (const [i, row] of rows.entries()) {
    const category = categoryOf(i);
    if (category === 'income' || category === 'transfers') continue;
    const months = out.get(category) ?? new Map<string, bigint>();
    const month = monthOf(row.time);
    months.set(month, (months.get(month) ?? 0n) - BigInt(row.amountMinor));
    out.set(category, months);
  }
  return out;
}

export interface UnusualSpending {
  readonly category: Category;
  readonly spentMinor: bigint;
  /** The median of the category's past months. */
  readonly typicalMinor: bigint;
  /** 0.6745 · (spent − median) / MAD; Infinity when the past never varied and this month is above it. */
  readonly robustZ: number;
  readonly unusual: boolean;
}

function medianOf(values: readonly bigint[]): number {
  const s = [...values].map(Number).sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * This month's spend in one category against its past months (robust z-score, Iglewicz & Hoaglin):
 * unusual when the z-score is above unusualRobustZ, with at least minHistoryMonths months of history.
 * A past that never varied (MAD 0) makes any rise unusual.
 */
export function unusualSpending(category: Category, pastMinor: readonly bigint[], spentMinor: bigint): UnusualSpending {
  if (pastMinor.length === 0) return { category, spentMinor, typicalMinor: 0n, robustZ: 0, unusual: false };
  const median = medianOf(pastMinor);
  const mad = medianOf(pastMinor.map((x) => BigInt(Math.round(Math.abs(Number(x) - median)))));
  const excess = Number(spentMinor) - median;
  const robustZ = mad > 0 ? (0.6745 * excess) / mad : excess > 0 ? Number.POSITIVE_INFINITY : 0;
  const unusual = pastMinor.length >= minHistoryMonths && robustZ > unusualRobustZ;
  return { category, spentMinor, typicalMinor: BigInt(Math.round(median)), robustZ, unusual };
}

export type BudgetLevel = 'ok' | 'warning' | 'exceeded';

export interface BudgetStatus {
  readonly spentMinor: bigint;
  readonly budgetMinor: bigint;
  /** Whole percent of the budget spent, rounded down. */
  readonly percent: bigint;
  readonly level: BudgetLevel;
  readonly remainingMinor: bigint;
}

/** Where spend stands against a budget: warning from 80 %, exceeded from 100 %. */
export function budgetStatus(spentMinor: bigint, budgetMinor: bigint): BudgetStatus {
  if (budgetMinor <= 0n) throw new RangeError('a budget must be a positive amount');
  const percent = (spentMinor * 100n) / budgetMinor;
  const level: BudgetLevel =
    spentMinor * 100n >= budgetMinor * budgetExceededPercent
      ? 'exceeded'
      : spentMinor * 100n >= budgetMinor * budgetWarnPercent
        ? 'warning'
        : 'ok';
  return { spentMinor, budgetMinor, percent, level, remainingMinor: budgetMinor - spentMinor };
}

export type SavingsSuggestion =
  | { readonly kind: 'over_budget'; readonly category: Category; readonly overMinor: bigint }
  | {
      readonly kind: 'review_subscriptions';
      /** Active outgoing card series, most expensive first. */
      readonly subscriptions: readonly { readonly name: string; readonly monthlyMinor: bigint }[];
      readonly monthlyMinor: bigint;
    }
  | { readonly kind: 'save_surplus'; readonly surplusMinor: bigint; readonly suggestedMinor: bigint };

const monthly = (s: RecurringSeries): bigint => {
  const cost = -s.lastMinor;
  if (s.frequency === 'weekly') return (cost * 52n) / 12n;
  if (s.frequency === 'quarterly') return cost / 3n;
  if (s.frequency === 'yearly') return cost / 12n;
  return cost;
};

/**
 * What the customer could save, in the order the app shows it:
 * - each category over its budget this month, by how much;
 * - the active subscriptions (outgoing recurring card payments) and their monthly total, when
 *   there are two or more: the bank cannot see whether one is used, the customer can;
 * - half of a positive average monthly surplus (income minus spending over the past months),
 *   rounded down to whole major units (100 minor units), to move to savings.
 */
export function savingsSuggestions(input: {
  readonly budgets: ReadonlyMap<Category, bigint>;
  readonly spentThisMonth: ReadonlyMap<Category, bigint>;
  readonly series: readonly RecurringSeries[];
  /** Net flow (in minus out) of each past full month. */
  readonly monthlyNetMinor: readonly bigint[];
}): SavingsSuggestion[] {
  const out: SavingsSuggestion[] = [];
  for (const [category, budget] of input.budgets) {
    const spent = input.spentThisMonth.get(category) ?? 0n;
    if (budgetStatus(spent, budget).level === 'exceeded' && spent > budget)
      out.push({ kind: 'over_budget', category, overMinor: spent - budget });
  }
  const subscriptions = input.series
    .filter((s) => s.active && s.direction === 'out' && s.channel === 'card')
    .map((s) => ({ name: s.counterpartyName, monthlyMinor: monthly(s) }))
    .sort((a, b) =>
      a.monthlyMinor > b.monthlyMinor ? -1 : a.monthlyMinor < b.monthlyMinor ? 1 : a.name < b.name ? -1 : 1,
    );
  if (subscriptions.length >= 2) {
    out.push({
      kind: 'review_subscriptions',
      subscriptions,
      monthlyMinor: subscriptions.reduce((s, x) => s + x.monthlyMinor, 0n),
    });
  }
  if (input.monthlyNetMinor.length > 0) {
    const surplus = input.monthlyNetMinor.reduce((s, x) => s + x, 0n) / BigInt(input.monthlyNetMinor.length);
    const suggested = ((surplus * surplusSavingsPercent) / 100n / 100n) * 100n;
    if (suggested > 0n) out.push({ kind: 'save_surplus', surplusMinor: surplus, suggestedMinor: suggested });
  }
  return out;
}
