import type { TFunction } from 'i18next';
import { problemDetail } from '../../api/errors';
import type { ScreenState } from '../../ui';

interface QueryLike {
  readonly data: unknown;
  readonly error: unknown;
  readonly isPending: boolean;
  readonly isFetching: boolean;
  refetch(): unknown;
}

/**
 * What a screen shows for one query. Data it already holds wins over a later failure, so offline
 * (or after a failed refresh) the last answer stays on screen beside its <DataAge>.
 */
export function queryState(query: QueryLike, t: TFunction): ScreenState {
  if (query.data !== undefined) return { status: 'ready' };
  if (query.isPending || query.isFetching) return { status: 'loading' };
  return { status: 'error', detail: problemDetail(query.error, t), onRetry: () => void query.refetch() };
}
