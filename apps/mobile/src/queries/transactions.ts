/**
 * Transaction history (GET /api/v1/transactions): one account's movements, newest first, in cursor
 * pages, filtered on the server. There is no GET /transactions/{id}: one transaction is read from
 * the history pages already loaded, else found by paging through the account's history.
 */
import type { ApiClient, paths } from '@nextgen/api-client';
import { type InfiniteData, type QueryClient, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context';

type HistoryQuery = NonNullable<paths['/api/v1/transactions']['get']['parameters']['query']>;
export type TransactionPage = paths['/api/v1/transactions']['get']['responses'][200]['content']['application/json'];
export type Transaction = TransactionPage['data'][number];
export type TransactionStatus = Transaction['status'];
export type TransactionDirection = Transaction['direction'];

/** The filters the API applies; all optional, as it takes them (dates RFC 3339, amounts decimal strings). */
export type HistoryFilters = Pick<
  HistoryQuery,
  'q' | 'from' | 'to' | 'minAmount' | 'maxAmount' | 'status' | 'direction'
>;

export const transactionStatuses: readonly TransactionStatus[] = ['pending', 'posted', 'voided', 'reversed'];
export const transactionDirections: readonly TransactionDirection[] = ['credit', 'debit'];

/** A history page: small enough to show quickly, large enough that scrolling rarely waits. */
export const historyPageSize = 25;
/**
 * Scrolling keeps at most this many pages (1,000 movements) in memory and on screen; older ones are
 * reached by narrowing the dates, which costs one request instead of forty.
 */
export const historyPagesMax = 40;
/** Looking for one transaction that is not cached reads at most this many pages of 100 (500 movements). */
const lookupPagesMax = 5;
const lookupPageSize = 100;
/** As the app's default: a transaction read from a history page is as fresh as that page. */
const transactionStaleMs = 30_000;

export const transactionKeys = {
  all: ['transactions'] as const,
  account: (accountId: string) => [...transactionKeys.all, 'history', accountId] as const,
  history: (accountId: string, filters: HistoryFilters) => [...transactionKeys.account(accountId), filters] as const,
  detail: (accountId: string, id: string) => [...transactionKeys.all, 'detail', accountId, id] as const,
};

/** Drops empty filters so `{}` and `{ q: undefined }` share one cache entry and no `q=` is sent. */
function definedFilters(filters: HistoryFilters): HistoryFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined && value !== ''));
}

export function useTransactionHistory(accountId: string, filters: HistoryFilters) {
  const api = useApi();
  const active = definedFilters(filters);
  return useInfiniteQuery({
    queryKey: transactionKeys.history(accountId, active),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) => {
      const { data } = await api.GET('/api/v1/transactions', {
        params: {
          query: { ...active, accountId, limit: historyPageSize, ...(pageParam ? { cursor: pageParam } : {}) },
        },
        signal,
      });
      if (!data) throw new Error('The history answer was empty.');
      return data;
    },
    getNextPageParam: (last, pages) => (pages.length >= historyPagesMax ? undefined : (last.nextCursor ?? undefined)),
  });
}

/** Whether the history stopped at `historyPagesMax` while the API had older pages. */
export function historyCapped(data: InfiniteData<TransactionPage> | undefined): boolean {
  return Boolean(data && data.pages.length >= historyPagesMax && data.pages.at(-1)?.nextCursor);
}

/** The transaction from any loaded history page of the account, with when that page arrived. */
function cachedTransaction(queryClient: QueryClient, accountId: string, id: string) {
  const queries = queryClient.getQueryCache().findAll({ queryKey: transactionKeys.account(accountId) });
  for (const query of queries) {
    const data = query.state.data as InfiniteData<TransactionPage> | undefined;
    const found = data?.pages.flatMap((page) => page.data).find((transaction) => transaction.id === id);
    if (found) return { transaction: found, updatedAt: query.state.dataUpdatedAt };
  }
  return undefined;
}

/** Pages through the account's unfiltered history for one transaction; `null` when it is not there. */
async function findTransaction(api: ApiClient, accountId: string, id: string, signal: AbortSignal) {
  // A link without its account (e.g. typed by hand) cannot be looked up: history is per account.
  if (!accountId) return null;
  let cursor: string | undefined;
  for (let page = 0; page < lookupPagesMax; page += 1) {
    const { data } = await api.GET('/api/v1/transactions', {
      params: { query: { accountId, limit: lookupPageSize, ...(cursor ? { cursor } : {}) } },
      signal,
    });
    const found = data?.data.find((transaction) => transaction.id === id);
    if (found) return found;
    if (!data?.nextCursor) return null;
    cursor = data.nextCursor;
  }
  return null;
}

/** One transaction: `null` means the account's history does not hold it (a "not found" state). */
export function useTransaction(accountId: string, id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: transactionKeys.detail(accountId, id),
    queryFn: ({ signal }) => findTransaction(api, accountId, id, signal),
    initialData: () => cachedTransaction(queryClient, accountId, id)?.transaction,
    initialDataUpdatedAt: () => cachedTransaction(queryClient, accountId, id)?.updatedAt,
    staleTime: transactionStaleMs,
  });
}
