/**
 * What a screen shows for a failed call: the API's own `detail` (it says what to do), or, for what
 * never reached the API (offline, a dropped connection), a translated sentence. Field problems are
 * read with `fieldError(error, '/body/amount')` and shown next to that field.
 */
import { ApiProblem } from '@nextgen/api-client';
import type { TFunction } from 'i18next';

export function problemDetail(error: unknown, t: TFunction): string {
  if (error instanceof ApiProblem) return error.detail;
  return t('errors.network');
}

/** The first problem the API reported for one field (a JSON pointer into the request), if any. */
export function fieldError(error: unknown, pointer: string): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.errorsAt(pointer)[0]?.detail;
}

export const isProblem = (error: unknown, code: string): error is ApiProblem =>
  error instanceof ApiProblem && error.code === code;
