/**
 * Insights (docs/api/insights.md): spending by category, budgets, regular payments and upcoming
 * bills, an account's balance forecast, the insight feed (open and dismissed), and correcting a
 * transaction's category. Read-mostly: the three writes (a budget, a dismissal, a correction)
 * invalidate what they change.
 */
import type { paths } from '@nextgen/api-client';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context';
import type { Currency } from './accounts';
import { type Transaction, transactionKeys } from './transactions';

export type Spending = paths['/api/v1/spending']['get']['responses'][200]['content']['application/json'];
export type SpendingCategory = Spending['categories'][number];
export type Category = SpendingCategory['category'];
export type Budget = paths['/api/v1/budgets']['get']['responses'][200]['content']['application/json']['data'][number];
export type BudgetLevel = Budget['level'];
export type RecurringPayment =
  paths['/api/v1/recurring-payments']['get']['responses'][200]['content']['application/json']['data'][number];
export type UpcomingBill =
  paths['/api/v1/upcoming-bills']['get']['responses'][200]['content']['application/json']['data'][number];
export type Forecast = paths['/api/v1/accounts/{id}/forecast']['get']['responses'][200]['content']['application/json'];
export type InsightPage = paths['/api/v1/insights']['get']['responses'][200]['content']['application/json'];
export type Insight = InsightPage['data'][number];
type Money = Budget['amount'];

/** The categoriser's closed list (packages/ml/src/insights/categories.ts), in its order. */
export const categories: readonly Category[] = [
  'groceries',
  'eating_out',
  'transport',
  'shopping',
  'bills_utilities',
  'rent_housing',
  'subscriptions',
  'entertainment',
  'health',
  'travel',
  'cash',
  'income',
  'transfers',
  'fees',
  'other',
];

export const isCategory = (value: unknown): value is Category =>
  typeof value === 'string' && (categories as readonly string[]).includes(value);

/** Budgets are for money going out: income and own-account transfers are not offered. */
export const budgetCategories: readonly Category[] = categories.filter((c) => c !== 'income' && c !== 'transfers');

/** The currency insights are read in (the API's default; the demo bank and most customers hold EUR). */
export const insightsCurrency: Currency = 'EUR';
/** Days of upcoming bills shown: the API's default window. */
export const upcomingBillsDays = 30;
/** Insights in the feed's one page: the worker writes a handful a week per customer. */
export const insightFeedPageSize = 50;
/**
 * Dismissed insights pile up (a handful a week): they are read in pages of the feed's size, and
 * at most this many pages (500, about two years) are kept; older ones are not offered.
 */
export const dismissedInsightPagesMax = 10;

export const insightKeys = {
  all: ['insights'] as const,
  spending: (month: string) => [...insightKeys.all, 'spending', month] as const,
  budgets: () => [...insightKeys.all, 'budgets'] as const,
  recurring: () => [...insightKeys.all, 'recurring'] as const,
  upcoming: () => [...insightKeys.all, 'upcoming'] as const,
  forecast: (accountId: string) => [...insightKeys.all, 'forecast', accountId] as const,
  feed: () => [...insightKeys.all, 'feed'] as const,
  /** Under the feed's key, so whatever reads the feed again (a dismissal) reads this again too. */
  dismissed: () => [...insightKeys.feed(), 'dismissed'] as const,
};

/** Money out by category for a month (YYYY-MM, UTC) with the six-month trend. */
export function useSpending(month: string) {
  const api = useApi();
  return useQuery({
    queryKey: insightKeys.spending(month),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/spending', {
        params: { query: { month, currency: insightsCurrency } },
        signal,
      });
      if (!data) throw new Error('The spending answer was empty.');
      return data;
    },
  });
}

export function useBudgets() {
  const api = useApi();
  return useQuery({
    queryKey: insightKeys.budgets(),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/budgets', { signal });
      return data?.data ?? [];
    },
  });
}

/** A budget changes the feed's warnings too: both are read again. */
function useInvalidateBudgets() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: insightKeys.budgets() });
    void queryClient.invalidateQueries({ queryKey: insightKeys.feed() });
  };
}

/** Sets or replaces the monthly budget of a category (PUT is idempotent: no key needed). */
export function useSetBudget() {
  const api = useApi();
  const invalidate = useInvalidateBudgets();
  return useMutation({
    mutationFn: async ({ category, amount }: { readonly category: Category; readonly amount: Money }) => {
      const { data } = await api.PUT('/api/v1/budgets/{category}', {
        params: { path: { category } },
        body: { amount },
      });
      if (!data) throw new Error('The budget answer was empty.');
      return data;
    },
    onSettled: invalidate,
  });
}

export function useDeleteBudget() {
  const api = useApi();
  const invalidate = useInvalidateBudgets();
  return useMutation({
    mutationFn: async ({ category, currency }: { readonly category: Category; readonly currency: Currency }) => {
      await api.DELETE('/api/v1/budgets/{category}', { params: { path: { category }, query: { currency } } });
    },
    onSettled: invalidate,
  });
}

/** The customer's regular series (payments and income), active or not, ordered by next date. */
export function useRecurringPayments() {
  const api = useApi();
  return useQuery({
    queryKey: insightKeys.recurring(),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/recurring-payments', { signal });
      return data?.data ?? [];
    },
  });
}

export function useUpcomingBills() {
  const api = useApi();
  return useQuery({
    queryKey: insightKeys.upcoming(),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/upcoming-bills', {
        params: { query: { days: upcomingBillsDays } },
        signal,
      });
      return data?.data ?? [];
    },
  });
}

export function useForecast(accountId: string) {
  const api = useApi();
  return useQuery({
    queryKey: insightKeys.forecast(accountId),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/accounts/{id}/forecast', {
        params: { path: { id: accountId } },
        signal,
      });
      if (!data) throw new Error('The forecast answer was empty.');
      return data;
    },
  });
}

/** The open insights, newest first (one page: see insightFeedPageSize). */
export function useInsightFeed() {
  const api = useApi();
  return useQuery({
    queryKey: insightKeys.feed(),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/insights', {
        params: { query: { limit: insightFeedPageSize } },
        signal,
      });
      return data?.data ?? [];
    },
  });
}

/** The dismissed insights, newest first, in pages (see dismissedInsightPagesMax). */
export function useDismissedInsights() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: insightKeys.dismissed(),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) => {
      const { data } = await api.GET('/api/v1/insights', {
        params: {
          query: { dismissed: true, limit: insightFeedPageSize, ...(pageParam ? { cursor: pageParam } : {}) },
        },
        signal,
      });
      if (!data) throw new Error('The dismissed insights answer was empty.');
      return data;
    },
    getNextPageParam: (last, pages) =>
      pages.length >= dismissedInsightPagesMax ? undefined : (last.nextCursor ?? undefined),
  });
}

/** Dismisses an insight: it leaves the feed at once, and comes back if the API refuses. */
export function useDismissInsight() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const { data } = await api.POST('/api/v1/insights/{id}/dismiss', { params: { path: { id } }, body: {} });
      if (!data) throw new Error('The dismissal answer was empty.');
      return data;
    },
    onMutate: async (id) => {
      await queryClient.cancelQueries({ queryKey: insightKeys.feed() });
      const before = queryClient.getQueryData<Insight[]>(insightKeys.feed());
      queryClient.setQueryData<Insight[]>(insightKeys.feed(), (list) => list?.filter((i) => i.id !== id));
      return { before };
    },
    onError: (_error, _id, context) => {
      if (context?.before) queryClient.setQueryData(insightKeys.feed(), context.before);
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: insightKeys.feed() }),
  });
}

/**
 * Corrects a transaction's category. The API applies it to the merchant's transactions from now
 * on, so the history, spending and budgets are all read again; the transaction shows it at once.
 */
export function useCorrectCategory(accountId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({
      transactionId,
      category,
    }: {
      readonly transactionId: string;
      readonly category: Category;
    }) => {
      const { data } = await api.PUT('/api/v1/transactions/{id}/category', {
        params: { path: { id: transactionId } },
        body: { category },
      });
      if (!data) throw new Error('The correction answer was empty.');
      return data;
    },
    onSuccess: (correction) => {
      queryClient.setQueryData<Transaction | null>(
        transactionKeys.detail(accountId, correction.transactionId),
        (old) => (old ? { ...old, category: correction.category } : old),
      );
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: transactionKeys.all });
      void queryClient.invalidateQueries({ queryKey: insightKeys.all });
    },
  });
}
