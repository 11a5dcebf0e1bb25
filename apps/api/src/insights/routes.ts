import { Type } from 'typebox';
import { requireCustomer } from '../platform/auth.ts';
import { pageLimitDefault } from '../platform/constants.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import {
  apiProblems,
  bodyProblems,
  IdParams,
  NoBody,
  NoQuery,
  Page,
  problemResponses,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import { upcomingBillsDaysDefault } from './constants.ts';
import {
  Budget,
  BudgetList,
  CategoryCorrection,
  CategoryParams,
  DeleteBudgetQuery,
  Forecast,
  Insight,
  InsightParams,
  InsightsQuery,
  PutBudgetBody,
  PutCategoryBody,
  RecurringList,
  Spending,
  SpendingQuery,
  TransactionParams,
  UpcomingList,
  UpcomingQuery,
} from './schemas.ts';
import type { InsightsService } from './service.ts';

const security = [{ oauth2: [] }];
const tags = ['insights'];

type Options = RouteOptions<{ readonly insights: InsightsService }>;

/** The customer's financial insights (docs/api/insights.md). Everything is read-only but budgets, corrections and dismissals. */
export async function insightsRoutes(app: TypeBoxApp, options: Options) {
  const { insights } = options.services;
  const read = problemResponses(...apiProblems, ...signedInProblems);

  app.get(
    '/spending',
    {
      schema: {
        tags,
        summary: 'Money out by category for a month, against the month before, and the last six months',
        security,
        querystring: SpendingQuery,
        response: { 200: Spending, ...read },
      },
    },
    async (request) => insights.spending(requireCustomer(request), request.query),
  );

  app.get(
    '/budgets',
    {
      schema: {
        tags,
        summary: "The caller's monthly budgets and this month's spending against each",
        security,
        querystring: NoQuery,
        response: { 200: BudgetList, ...read },
      },
    },
    async (request) => ({ data: await insights.listBudgets(requireCustomer(request)) }),
  );

  app.put(
    '/budgets/:category',
    {
      schema: {
        tags,
        summary: 'Set the monthly budget of a category in a currency (creates or replaces it)',
        security,
        params: CategoryParams,
        querystring: NoQuery,
        body: PutBudgetBody,
        response: { 200: Budget, ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 422) },
      },
    },
    async (request) => insights.putBudget(requireCustomer(request), request.params.category, request.body.amount),
  );

  app.delete(
    '/budgets/:category',
    {
      schema: {
        tags,
        summary: 'Remove the budget of a category in a currency',
        security,
        params: CategoryParams,
        querystring: DeleteBudgetQuery,
        response: {
          204: Type.Null({ description: 'Removed' }),
          ...problemResponses(...apiProblems, ...signedInProblems, 404),
        },
      },
    },
    async (request, reply) => {
      await insights.deleteBudget(requireCustomer(request), request.params.category, request.query.currency ?? 'EUR');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/recurring-payments',
    {
      schema: {
        tags,
        summary: 'Payments and income that come at a regular interval, detected in the last 13 months',
        security,
        querystring: NoQuery,
        response: { 200: RecurringList, ...read },
      },
    },
    async (request) => ({ data: await insights.recurringPayments(requireCustomer(request)) }),
  );

  app.get(
    '/upcoming-bills',
    {
      schema: {
        tags,
        summary: 'Recurring payments expected in the next days (30 by default, at most 90)',
        security,
        querystring: UpcomingQuery,
        response: { 200: UpcomingList, ...read },
      },
    },
    async (request) => ({
      data: await insights.upcomingBills(requireCustomer(request), request.query.days ?? upcomingBillsDaysDefault),
    }),
  );

  app.get(
    '/accounts/:id/forecast',
    {
      schema: {
        tags,
        summary: "The account's end-of-day balance for the next 30 days, forecast from its history",
        security,
        params: IdParams('account'),
        querystring: NoQuery,
        response: { 200: Forecast, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => insights.forecast(requireCustomer(request), request.params.id),
  );

  app.put(
    '/transactions/:id/category',
    {
      schema: {
        tags,
        summary: "Correct a transaction's category; it applies to this merchant's transactions from now on",
        security,
        params: TransactionParams,
        querystring: NoQuery,
        body: PutCategoryBody,
        response: {
          200: CategoryCorrection,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404),
        },
      },
    },
    async (request) => insights.correctCategory(requireCustomer(request), request.params.id, request.body.category),
  );

  app.get(
    '/insights',
    {
      schema: {
        tags,
        summary: "The caller's insights, newest first: open ones by default, dismissed ones with dismissed=true",
        security,
        querystring: InsightsQuery,
        response: { 200: Page(Insight), ...read },
      },
    },
    async (request) => {
      const { limit = pageLimitDefault, cursor, dismissed = false } = request.query;
      return insights.listInsights(requireCustomer(request), { limit, cursor, dismissed });
    },
  );

  app.post(
    '/insights/:id/dismiss',
    {
      schema: {
        tags,
        summary: 'Dismiss an insight; dismissing it again answers the same',
        security,
        params: InsightParams,
        querystring: NoQuery,
        body: NoBody,
        response: { 200: Insight, ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404) },
      },
    },
    async (request) => insights.dismiss(requireCustomer(request), request.params.id),
  );
}
