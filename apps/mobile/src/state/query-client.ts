/**
 * Server state lives in TanStack Query: one hook file per resource under src/state/queries/ (they
 * arrive with the API client), keys and invalidation beside the hooks. Screens never call fetch.
 */
import { QueryClient } from '@tanstack/react-query';

/** How long data stays fresh before a screen refetches it on focus. */
const staleTimeMs = 30_000;
/** Failed reads retry twice; a 4xx answer is final (the api-client marks those as not retryable). */
const maxReadRetries = 2;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: staleTimeMs, retry: maxReadRetries },
      // A money move is retried by the person with the same Idempotency-Key, never silently.
      mutations: { retry: false },
    },
  });
}
