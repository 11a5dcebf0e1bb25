/**
 * The signed-in API client for every query hook: `useApi()` answers the one ApiClient of this
 * installation (DPoP key, token store, refresh) that src/session builds. Screens never call it
 * directly; they use the hooks in src/queries/, one file per resource.
 */
import type { ApiClient } from '@nextgen/api-client';
import { createContext, type ReactNode, use } from 'react';

const ApiContext = createContext<ApiClient | undefined>(undefined);

export function ApiProvider({ api, children }: { readonly api: ApiClient | undefined; readonly children: ReactNode }) {
  return <ApiContext value={api}>{children}</ApiContext>;
}

export function useApi(): ApiClient {
  const api = use(ApiContext);
  if (!api) throw new Error('useApi() needs an ApiProvider with a client above it.');
  return api;
}
