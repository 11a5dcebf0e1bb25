import {
  budgetStatus,
  type Category,
  forecastBalance,
  type RecurringSeries,
  savingsSuggestions,
  type Transaction,
  unusualSpending,
  upcomingBills,
} from '@nextgen/ml';
import { type Currency, formatAmount, toApiMoney } from '../platform/money.ts';
import { addDays, dayOfDate, monthOfDate, monthsBetween, shiftMonth } from './calendar.ts';
import {
  insightsPerRunMax,
  lowBalanceThresholdMinor,
  unusualActiveMonthsMin,
  upcomingBillInsightDays,
} from './constants.ts';
import { categoryWords, messageKeyOf } from './messages.ts';
import { netByMonth, type Picture, seriesCategory, spendByMonth } from './picture.ts';
import type { BudgetRow, InsightDraft, OwnAccount } from './repository.ts';

/**
 * What the worker tells a customer, computed from their picture: pure, so a run computes the same
 * drafts again and the dedupe keys (insights.dedupe_key) keep each fact to one row.
 */
export interface DraftInput {
  readonly picture: Picture;
  readonly budgets: readonly BudgetRow[];
  readonly accounts: readonly OwnAccount[];
  readonly now: Date;
}

const money = (amountMinor: bigint, currency: Currency) => `${formatAmount(amountMinor, currency)} ${currency}`;
const abs = (x: bigint) => (x < 0n ? -x : x);

/** The account a series' lines are on. */
export function seriesAccount(picture: Picture, series: RecurringSeries): string {
  const index = picture.indexById.get(series.transactionIds.at(-1) ?? '');
  return index === undefined ? '' : (picture.lines[index]?.account_id ?? '');
}

function budgetDrafts(input: DraftInput, month: string): InsightDraft[] {
  const out: InsightDraft[] = [];
  const spendOf = new Map<Currency, Map<Category, Map<string, bigint>>>();
  for (const budget of input.budgets) {
    const spend = spendOf.get(budget.currency) ?? spendByMonth(input.picture, budget.currency);
    spendOf.set(budget.currency, spend);
    const spent = spend.get(budget.category)?.get(month) ?? 0n;
    const status = budgetStatus(spent, budget.amount_minor);
    if (status.level === 'ok') continue;
    const type = status.level === 'warning' ? 'budget_warning' : 'budget_exceeded';
    out.push({
      type,
      period: month,
      dedupeKey: `${type}:${budget.category}:${budget.currency}:${month}`,
      messageKey: messageKeyOf(type),
      params: {
        category: categoryWords(budget.category),
        spent: money(spent, budget.currency),
        budget: money(budget.amount_minor, budget.currency),
        percent: status.percent.toString(),
      },
      data: {
        category: budget.category,
        spent: toApiMoney(spent, budget.currency),
        budget: toApiMoney(budget.amount_minor, budget.currency),
        percent: Number(status.percent),
      },
    });
  }
  return out;
}

function unusualDrafts(input: DraftInput, currency: Currency, month: string): InsightDraft[] {
  const spend = spendByMonth(input.picture, currency);
  const first = input.picture.rows.find((row) => row.currency === currency)?.time.slice(0, 7);
  if (first === undefined || first >= month) return [];
  const past = monthsBetween(first, shiftMonth(month, -1)).slice(-12);
  const out: InsightDraft[] = [];
  for (const [category, months] of spend) {
    const spent = months.get(month) ?? 0n;
    const history = past.map((m) => months.get(m) ?? 0n);
    // A category new to the customer is not unusual against months of nothing.
    if (spent <= 0n || history.filter((x) => x > 0n).length < unusualActiveMonthsMin) continue;
    const found = unusualSpending(category, history, spent);
    if (!found.unusual) continue;
    out.push({
      type: 'unusual_spending',
      period: month,
      dedupeKey: `unusual_spending:${category}:${currency}:${month}`,
      messageKey: messageKeyOf('unusual_spending'),
      params: {
        category: categoryWords(category),
        spent: money(spent, currency),
        typical: money(found.typicalMinor, currency),
      },
      data: {
        category,
        spent: toApiMoney(spent, currency),
        typical: toApiMoney(found.typicalMinor, currency),
        robustZ: Number.isFinite(found.robustZ) ? Math.round(found.robustZ * 100) / 100 : null,
      },
    });
  }
  return out;
}

function subscriptionDrafts(input: DraftInput): InsightDraft[] {
  return (
    input.picture.series
      // Subscriptions only: rent and bills recur too, and are categorised as what they are.
      .filter(
        (s) =>
          s.active &&
          s.direction === 'out' &&
          s.channel === 'card' &&
          seriesCategory(input.picture, s) === 'subscriptions',
      )
      .map((s) => {
        const accountId = seriesAccount(input.picture, s);
        const currency = s.currency as Currency;
        const amount = abs(s.lastMinor);
        return {
          type: 'subscription_found' as const,
          period: s.nextDate,
          dedupeKey: `subscription_found:${accountId}:${s.key}`,
          messageKey: messageKeyOf('subscription_found'),
          params: {
            name: s.counterpartyName,
            amount: money(amount, currency),
            frequency: s.frequency,
            nextDate: s.nextDate,
          },
          data: { accountId, frequency: s.frequency, amount: toApiMoney(amount, currency), nextDate: s.nextDate },
        };
      })
  );
}

/** Outgoing series to someone else (own-account transfers are not bills). */
export function billSeries(picture: Picture): RecurringSeries[] {
  return picture.series.filter((s) => seriesCategory(picture, s) !== 'transfers');
}

function upcomingDrafts(input: DraftInput, today: string): InsightDraft[] {
  const { picture } = input;
  const accountOf = new Map(picture.series.map((s) => [s, seriesAccount(picture, s)] as const));
  const out: InsightDraft[] = [];
  for (const s of billSeries(picture)) {
    for (const bill of upcomingBills([s], today, upcomingBillInsightDays)) {
      const accountId = accountOf.get(s) ?? '';
      const currency = bill.currency as Currency;
      const amount = abs(bill.amountMinor);
      out.push({
        type: 'upcoming_bill',
        period: bill.date,
        dedupeKey: `upcoming_bill:${accountId}:${bill.key}:${bill.date}`,
        messageKey: messageKeyOf('upcoming_bill'),
        params: { name: bill.counterpartyName, amount: money(amount, currency), date: bill.date },
        data: {
          accountId,
          date: bill.date,
          amount: toApiMoney(amount, currency),
          category: seriesCategory(picture, s),
        },
      });
    }
  }
  return out;
}

function savingsDrafts(input: DraftInput, currency: Currency, month: string): InsightDraft[] {
  const spend = spendByMonth(input.picture, currency);
  const spentThisMonth = new Map<Category, bigint>();
  for (const [category, months] of spend) spentThisMonth.set(category, months.get(month) ?? 0n);
  const net = netByMonth(input.picture, currency);
  const pastMonths = [...net.keys()]
    .filter((m) => m < month)
    .sort()
    .slice(-12);
  const suggestions = savingsSuggestions({
    budgets: new Map(input.budgets.filter((b) => b.currency === currency).map((b) => [b.category, b.amount_minor])),
    spentThisMonth,
    series: input.picture.series.filter((s) => s.currency === currency),
    monthlyNetMinor: pastMonths.map((m) => net.get(m) ?? 0n),
  });
  return suggestions.map((s): InsightDraft => {
    const base = {
      type: 'savings_suggestion' as const,
      period: month,
      messageKey: messageKeyOf('savings_suggestion', s.kind),
    };
    if (s.kind === 'over_budget') {
      return {
        ...base,
        dedupeKey: `savings_suggestion:over_budget:${s.category}:${currency}:${month}`,
        params: { category: categoryWords(s.category), over: money(s.overMinor, currency) },
        data: { kind: s.kind, category: s.category, over: toApiMoney(s.overMinor, currency) },
      };
    }
    if (s.kind === 'review_subscriptions') {
      return {
        ...base,
        dedupeKey: `savings_suggestion:review_subscriptions:${currency}:${month}`,
        params: { monthly: money(s.monthlyMinor, currency), count: String(s.subscriptions.length) },
        data: {
          kind: s.kind,
          monthly: toApiMoney(s.monthlyMinor, currency),
          subscriptions: s.subscriptions.map((x) => ({ name: x.name, monthly: toApiMoney(x.monthlyMinor, currency) })),
        },
      };
    }
    return {
      ...base,
      dedupeKey: `savings_suggestion:save_surplus:${currency}:${month}`,
      params: { surplus: money(s.surplusMinor, currency), suggested: money(s.suggestedMinor, currency) },
      data: {
        kind: s.kind,
        surplus: toApiMoney(s.surplusMinor, currency),
        suggested: toApiMoney(s.suggestedMinor, currency),
      },
    };
  });
}

/** The account's forecast from tomorrow, with its series (packages/ml forecastBalance). */
export function accountForecast(picture: Picture, account: OwnAccount, now: Date) {
  const rows: Transaction[] = [];
  for (const row of picture.rows) if (row.account === account.id) rows.push(row);
  const series = picture.series.filter((s) => seriesAccount(picture, s) === account.id);
  return forecastBalance(rows, { asOf: dayOfDate(addDays(now, 1)), balanceMinor: account.balance_minor, series });
}

function lowBalanceDrafts(input: DraftInput): InsightDraft[] {
  const out: InsightDraft[] = [];
  for (const account of input.accounts) {
    if (account.status === 'closed') continue;
    const low = accountForecast(input.picture, account, input.now).find(
      (p) => p.balanceMinor < lowBalanceThresholdMinor,
    );
    if (!low) continue;
    out.push({
      type: 'low_balance_forecast',
      period: low.date,
      dedupeKey: `low_balance_forecast:${account.id}:${low.date.slice(0, 7)}`,
      messageKey: messageKeyOf('low_balance_forecast'),
      params: { balance: money(low.balanceMinor, account.currency), date: low.date },
      data: { accountId: account.id, date: low.date, balance: toApiMoney(low.balanceMinor, account.currency) },
    });
  }
  return out;
}

/** Every insight the customer's picture supports today, at most insightsPerRunMax. */
export function draftInsights(input: DraftInput): InsightDraft[] {
  const month = monthOfDate(input.now);
  const today = dayOfDate(input.now);
  const currencies = [...new Set(input.accounts.map((a) => a.currency))].sort();
  const drafts = [
    ...budgetDrafts(input, month),
    ...currencies.flatMap((c) => unusualDrafts(input, c, month)),
    ...subscriptionDrafts(input),
    ...upcomingDrafts(input, today),
    ...currencies.flatMap((c) => savingsDrafts(input, c, month)),
    ...lowBalanceDrafts(input),
  ];
  return drafts.slice(0, insightsPerRunMax);
}
