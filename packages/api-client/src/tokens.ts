/**
 * What a sign-in leaves: DPoP-bound tokens. Where they are kept is the platform's business —
 * expo-secure-store on native, memory and IndexedDB on the web (web/token-store.ts, ADR 0110) —
 * never localStorage or AsyncStorage.
 */
export interface TokenSet {
  readonly accessToken: string;
  /** Absent only when the sign-in did not ask for offline_access. */
  readonly refreshToken?: string | undefined;
  readonly idToken?: string | undefined;
  /** When the access token expires, in ms since the epoch; an empty access token is expired. */
  readonly accessTokenExpiresAtMs: number;
}

export interface TokenStore {
  load(): Promise<TokenSet | undefined>;
  /** Called after every sign-in and refresh: the old refresh token is spent, keep only the new one. */
  save(tokens: TokenSet): Promise<void>;
  clear(): Promise<void>;
}

/** Tokens in this process's memory only (tests, the CLI, a store that wraps another). */
export function createMemoryTokenStore(initial?: TokenSet): TokenStore {
  let current = initial;
  return {
    load: async () => current,
    save: async (tokens) => {
      current = tokens;
    },
    clear: async () => {
      current = undefined;
    },
  };
}
