import { createHash } from 'node:crypto';
import { budgetStatus, type Category, categories, isCategory, upcomingBills as projectBills } from '@nextgen/ml';
import { parseAmountInput } from '../platform/amounts.ts';
import { decodeCursor, encodeCursor } from '../platform/cursors.ts';
import type { Database, Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { badRequest, notFound, unprocessable } from '../platform/errors.ts';
import { type Currency, toApiMoney } from '../platform/money.ts';
import { accountNotFound } from '../platform/problems.ts';
import { dayOfDate, isMonth, monthOfDate, monthStart, shiftMonth } from './calendar.ts';
import {
  budgetsPerCustomerMax,
  correctionsPerCustomerMax,
  gdprInsightsMax,
  historyMonths,
  spendingTrendMonths,
  trendFlatPercent,
} from './constants.ts';
import { accountForecast, billSeries, seriesAccount } from './generate.ts';
import { type Line, lineMerchantKey } from './merchants.ts';
import { renderMessage } from './messages.ts';
import { type CategoriserModel, loadCategoriser } from './model.ts';
import {
  buildPicture,
  historyCategories,
  type Picture,
  seriesCategory,
  spendByMonth,
  textModelCategory,
} from './picture.ts';
import * as repo from './repository.ts';

/** What the history shows of a line to categorise it (the accounts module's HistoryRow has these fields). */
export type HistoryLine = Line;

const share = (part: bigint, whole: bigint): number =>
  whole <= 0n ? 0 : Math.round(Number((part * 1_000_000n) / whole)) / 1_000_000;

function categoryOrThrow(text: string, pointer: string): Category {
  if (isCategory(text)) return text;
  throw badRequest('unknown_category', `There is no category "${text}". Use one of: ${categories.join(', ')}.`, {
    errors: [{ pointer, detail: 'is not a known category' }],
  });
}

function monthOrThrow(text: string | undefined, now: Date): string {
  if (text === undefined) return monthOfDate(now);
  if (isMonth(text)) return text;
  throw badRequest(
    'invalid_month',
    '`month` must be a calendar month written YYYY-MM, such as 2026-12, from 1970-01 to 9998-12.',
    {
      errors: [{ pointer: '/query/month', detail: 'must be YYYY-MM' }],
    },
  );
}

function trendOf(amount: bigint, previous: bigint): 'up' | 'down' | 'flat' {
  const band = (previous * trendFlatPercent) / 100n;
  if (amount > previous + band) return 'up';
  if (amount < previous - band) return 'down';
  return 'flat';
}

/** A stable id for a series: its account, merchant and direction (frequency and amounts may drift). */
const recurringId = (accountId: string, key: string, direction: string) =>
  `rec_${createHash('sha256').update(`${accountId}|${key}|${direction}`).digest('hex').slice(0, 24)}`;

function insightView(row: repo.InsightRow) {
  return {
    id: row.id,
    type: row.type,
    period: row.period,
    messageKey: row.message_key,
    params: row.params,
    message: renderMessage(row.message_key, row.params),
    data: row.data,
    modelVersion: row.model_version,
    createdAt: row.created_at.toISOString(),
    dismissedAt: row.dismissed_at?.toISOString() ?? null,
  };
}

export interface InsightsOptions {
  /** The clock (tests pin it). */
  readonly now?: () => Date;
}

/**
 * A customer's picture as of `now`: the lines of the 13 months ending with `untilMonth` (the
 * current one by default), their accounts and corrections. Used by the reads here and the worker.
 */
export async function readPicture(
  db: Queryable,
  model: CategoriserModel,
  customerId: string,
  now: Date,
  untilMonth = monthOfDate(now),
): Promise<{ picture: Picture; accounts: repo.OwnAccount[] }> {
  const accounts = await repo.readAccounts(db, customerId);
  const overrides = await repo.readOverrides(db, customerId);
  const lines = await repo.readLines(
    db,
    customerId,
    monthStart(untilMonth, 1 - historyMonths),
    monthStart(untilMonth, 1),
  );
  const end = monthStart(untilMonth, 1);
  const asOf = dayOfDate(end < now ? end : now);
  const picture = buildPicture({
    customerId,
    lines,
    ownIbans: new Set(accounts.map((a) => a.iban)),
    overrides,
    model,
    asOf,
  });
  return { picture, accounts };
}

export function createInsightsService(deps: Pick<AppDependencies, 'db' | 'config'>, options: InsightsOptions = {}) {
  const db: Database = deps.db;
  const now = options.now ?? (() => new Date());
  /** Loaded once at start (CATEGORISER_PATH); reads wait for it. Never rejects. */
  const model = loadCategoriser(deps.config.categoriserPath);

  async function picture(customerId: string, untilMonth?: string) {
    return readPicture(db, await model, customerId, now(), untilMonth);
  }

  async function budgetViews(customerId: string) {
    const budgets = await repo.readBudgets(db, customerId);
    if (budgets.length === 0) return [];
    const { picture: p } = await picture(customerId);
    const month = monthOfDate(now());
    const spend = new Map<Currency, ReturnType<typeof spendByMonth>>();
    return budgets.map((b) => {
      const byCategory = spend.get(b.currency) ?? spendByMonth(p, b.currency);
      spend.set(b.currency, byCategory);
      return budgetView(b, byCategory.get(b.category)?.get(month) ?? 0n);
    });
  }

  function budgetView(b: repo.BudgetRow, spent: bigint) {
    const status = budgetStatus(spent, b.amount_minor);
    return {
      category: b.category,
      amount: toApiMoney(b.amount_minor, b.currency),
      spent: toApiMoney(spent, b.currency),
      level: status.level,
      share: share(spent, b.amount_minor),
    };
  }

  return {
    model,

    async spending(customerId: string, query: { month?: string; currency?: Currency }) {
      const month = monthOrThrow(query.month, now());
      const currency = query.currency ?? 'EUR';
      const { picture: p } = await picture(customerId, month);
      const spend = spendByMonth(p, currency);
      const previousMonth = shiftMonth(month, -1);
      let total = 0n;
      const rows: { category: Category; amount: bigint; previous: bigint }[] = [];
      for (const [category, months] of spend) {
        const amount = months.get(month) ?? 0n;
        const previous = months.get(previousMonth) ?? 0n;
        if (amount <= 0n && previous <= 0n) continue;
        rows.push({ category, amount: amount > 0n ? amount : 0n, previous: previous > 0n ? previous : 0n });
        if (amount > 0n) total += amount;
      }
      rows.sort((a, b) => (a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : a.category < b.category ? -1 : 1));
      const months = Array.from({ length: spendingTrendMonths }, (_, i) =>
        shiftMonth(month, i + 1 - spendingTrendMonths),
      );
      return {
        month,
        currency,
        total: toApiMoney(total, currency),
        categories: rows.map((r) => ({
          category: r.category,
          amount: toApiMoney(r.amount, currency),
          share: share(r.amount, total),
          previous: toApiMoney(r.previous, currency),
          trend: trendOf(r.amount, r.previous),
        })),
        months: months.map((m) => {
          let sum = 0n;
          for (const byMonth of spend.values()) {
            const x = byMonth.get(m) ?? 0n;
            if (x > 0n) sum += x;
          }
          return { month: m, total: toApiMoney(sum, currency) };
        }),
      };
    },

    listBudgets: budgetViews,

    async putBudget(customerId: string, categoryText: string, amount: { amount: string; currency: Currency }) {
      const category = categoryOrThrow(categoryText, '/params/category');
      const amountMinor = parseAmountInput(amount.amount, amount.currency, '/body/amount/amount');
      const stored = await repo.upsertBudget(db, {
        customerId,
        category,
        currency: amount.currency,
        amountMinor,
        max: budgetsPerCustomerMax,
      });
      if (!stored) {
        throw unprocessable(
          'budget_limit_reached',
          `You can keep at most ${budgetsPerCustomerMax} budgets. Remove one before adding another.`,
        );
      }
      const views = await budgetViews(customerId);
      const view = views.find((v) => v.category === category && v.amount.currency === amount.currency);
      return view ?? budgetView({ category, currency: amount.currency, amount_minor: amountMinor }, 0n);
    },

    async deleteBudget(customerId: string, categoryText: string, currency: Currency) {
      const category = categoryOrThrow(categoryText, '/params/category');
      if (!(await repo.deleteBudget(db, customerId, category, currency))) {
        throw notFound(
          'budget_not_found',
          `You have no ${currency} budget for ${category}. List yours with GET /api/v1/budgets.`,
        );
      }
    },

    async recurringPayments(customerId: string) {
      const { picture: p } = await picture(customerId);
      return p.series.map((s) => {
        const accountId = seriesAccount(p, s);
        const currency = s.currency as Currency;
        const abs = (x: bigint) => (x < 0n ? -x : x);
        return {
          id: recurringId(accountId, s.key, s.direction),
          name: s.counterpartyName,
          category: seriesCategory(p, s),
          frequency: s.frequency,
          direction: s.direction,
          averageAmount: toApiMoney(abs(s.averageMinor), currency),
          lastAmount: toApiMoney(abs(s.lastMinor), currency),
          lastDate: s.lastDate,
          nextDate: s.nextDate,
          active: s.active,
          accountId,
        };
      });
    },

    async upcomingBills(customerId: string, days: number) {
      const { picture: p } = await picture(customerId);
      const today = dayOfDate(now());
      const out = billSeries(p).flatMap((s) =>
        projectBills([s], today, days).map((bill) => ({
          date: bill.date,
          name: bill.counterpartyName,
          amount: toApiMoney(bill.amountMinor < 0n ? -bill.amountMinor : bill.amountMinor, bill.currency as Currency),
          category: seriesCategory(p, s),
          accountId: seriesAccount(p, s),
        })),
      );
      return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.name < b.name ? -1 : 1));
    },

    async forecast(customerId: string, accountId: string) {
      const { picture: p, accounts } = await picture(customerId);
      const account = accounts.find((a) => a.id === accountId);
      if (!account) throw accountNotFound();
      return {
        accountId,
        currency: account.currency,
        method: 'recurring+weekday-profile',
        days: accountForecast(p, account, now()).map((point) => ({
          date: point.date,
          balance: toApiMoney(point.balanceMinor, account.currency),
        })),
      };
    },

    async correctCategory(customerId: string, transactionId: string, categoryText: string) {
      const category = categoryOrThrow(categoryText, '/body/category');
      const line = await repo.findLine(db, customerId, transactionId);
      if (!line)
        throw notFound(
          'transaction_not_found',
          'No transaction with this id among yours. List them with GET /api/v1/transactions.',
        );
      const merchantKey = lineMerchantKey(line);
      // What the text model says of the line, kept with the correction for the training labels.
      const guess = textModelCategory(line, customerId, await model);
      // One transaction: the correction, this line's category and the queue row (the worker
      // recategorises the merchant's other lines); reads apply the correction at once anyway.
      const stored = await db.transaction(async (tx) => {
        const kept = await repo.upsertCorrection(tx, {
          customerId,
          merchantKey,
          category,
          transactionId,
          model: guess,
          max: correctionsPerCustomerMax,
        });
        if (!kept) return false;
        await repo.storeCategories(tx, customerId, [{ id: transactionId, category }]);
        await repo.enqueueCustomer(tx, customerId);
        return true;
      });
      if (!stored) {
        throw unprocessable(
          'corrections_limit_reached',
          `You have corrected ${correctionsPerCustomerMax} merchants, the most we keep. Contact support.`,
        );
      }
      return { transactionId, category, source: 'override' as const };
    },

    async listInsights(customerId: string, page: { limit: number; cursor?: string; dismissed: boolean }) {
      const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
      const rows = await repo.listInsights(db, customerId, { limit: page.limit, after, dismissed: page.dismissed });
      const last = rows.at(-1);
      return {
        data: rows.map(insightView),
        nextCursor:
          rows.length === page.limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null,
      };
    },

    async dismiss(customerId: string, insightId: string) {
      const row = await repo.dismissInsight(db, customerId, insightId);
      if (!row)
        throw notFound(
          'insight_not_found',
          'No insight with this id among yours. List them with GET /api/v1/insights.',
        );
      return insightView(row);
    },

    /** Erasure's part (compliance/gdpr.ts, in its transaction): insights, budgets and corrections go. */
    erasePersonalData: repo.erasePersonalData,

    /** The GDPR export's `insights` section: budgets, corrections and insights (bounded). */
    async personalData(customerId: string) {
      const [budgets, corrections, rows] = [
        await repo.readBudgets(db, customerId),
        await repo.readCorrections(db, customerId),
        await repo.listInsights(db, customerId, { limit: gdprInsightsMax, after: undefined, dismissed: false }),
      ];
      const dismissed = await repo.listInsights(db, customerId, {
        limit: gdprInsightsMax,
        after: undefined,
        dismissed: true,
      });
      return {
        budgets: budgets.map((b) => ({ category: b.category, amount: toApiMoney(b.amount_minor, b.currency) })),
        categoryCorrections: corrections.map((c) => ({
          transactionId: c.transaction_id,
          category: c.category,
          createdAt: c.created_at.toISOString(),
        })),
        insights: [...rows, ...dismissed].map(insightView),
      };
    },

    /**
     * The categories of history lines (GET /transactions): handed to the accounts module by app.ts,
     * so accounts never imports this module.
     */
    async categoriseHistory(customerId: string, lines: readonly HistoryLine[]): Promise<Category[]> {
      if (lines.length === 0) return [];
      const [loaded, overrides, accounts] = await Promise.all([
        model,
        repo.readOverrides(db, customerId),
        repo.readAccounts(db, customerId),
      ]);
      return historyCategories(lines, customerId, {
        overrides,
        ownIbans: new Set(accounts.map((a) => a.iban)),
        model: loaded,
      });
    },
  };
}

export type InsightsService = ReturnType<typeof createInsightsService>;
