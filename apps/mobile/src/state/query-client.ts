/**
 * Server state lives in TanStack Query: one hook file per resource under src/queries/, keys and invalidation beside the hooks. Screens never call fetch.
 */
import { ApiProblem } from '@nextgen/api-client';
import { QueryClient } from '@tanstack/react-query';

/** How long data stays fresh before a screen refetches it on focus. */
const staleTimeMs = 30_000;
/** Failed reads retry twice; a 4xx answer is final (the same request would get the same answer). */
const maxReadRetries = 2;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: staleTimeMs,
        retry: (failures, error) =>
          failures < maxReadRetries && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500),
      },
      // A money move is retried by the person with the same Idempotency-Key, never silently.
      mutations: { retry: false },
    },
  });
}
