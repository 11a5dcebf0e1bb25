import createClient, { type Client } from 'openapi-fetch';
import { createDpopProof, type DpopKeyPair, DpopNonces, wantsDpopNonce } from './dpop.ts';
import type { Subtle } from './encoding.ts';
import type { paths } from './generated/api.ts';
import { type AuthClient, createAuthClient, type PendingSignIn } from './oauth.ts';
import { ApiProblem, problemOf, retryAfterSOf } from './problem.ts';
import type { TokenSet, TokenStore } from './tokens.ts';

/**
 * The typed API client: openapi-fetch over the generated `paths`, on a fetch that signs every call
 * with a DPoP proof and handles the answers every caller would otherwise handle alike:
 * - `use_dpop_nonce` (401 from the API, 400 from the token endpoint): sign again with the nonce
 *   the answer carries, once; nonces are remembered per origin.
 * - `401 invalid_token`: refresh once (one refresh at a time, shared by every caller waiting on it),
 *   store the rotated refresh token, repeat the call. A refused refresh signs the device out.
 * - `503`/`429` with `Retry-After`: wait (bounded) and repeat, only when repeating cannot move
 *   money twice: safe methods, or a request with an Idempotency-Key.
 * - any other non-2xx: thrown as an ApiProblem (code, detail, errors[], stepUp).
 */
export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly dpop: DpopKeyPair;
  readonly tokens: TokenStore;
  readonly fetch?: typeof fetch;
  readonly subtle?: Subtle;
  /**
   * Serialises refreshes beyond this client (the web's tabs: web/index.ts webRefreshLock); the
   * tokens are read again inside it. One client alone needs none.
   */
  readonly refreshLock?: <T>(refresh: () => Promise<T>) => Promise<T>;
  /** Bounds on waiting for Retry-After; defaults in `retryLimits`. */
  readonly retry?: Partial<RetryLimits>;
}

export interface RetryLimits {
  /** Repeats after 503/429 per call; each costs the caller up to `waitMaxMs`. */
  readonly attemptsMax: number;
  /** The longest Retry-After honoured; longer answers are surfaced so the screen can say so. */
  readonly waitMaxMs: number;
}
export const retryLimits: RetryLimits = { attemptsMax: 2, waitMaxMs: 10_000 };

export type SignedOutReason = 'refresh_refused' | 'signed_out';

export interface ApiClient extends Client<paths> {
  readonly auth: AuthClient;
  /** The signing, retrying fetch under the typed methods (for calls the document does not type). */
  readonly signedFetch: (request: Request) => Promise<Response>;
  /** Finishes a sign-in from its redirect and stores its tokens. */
  completeSignIn(callbackUrl: string, pending: PendingSignIn): Promise<void>;
  /** Revokes the sign-in's grant (best effort), forgets the tokens and tells the listeners. */
  signOut(): Promise<void>;
  /** Called once per sign-out: by `signOut()` or when a refresh is refused. Returns unsubscribe. */
  onSignedOut(listener: (reason: SignedOutReason) => void): () => void;
}

/** Methods a repeat cannot make do twice (RFC 9110 §9.2.2). */
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Refresh this long before expiry, so a call does not leave with a token that dies on the way. */
const expirySkewMs = 30_000;
/** Every repeat the loop may make for one call: a nonce, a refresh, and the Retry-After repeats. */
const attemptsPerCallMax = 8;

export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const subtle = options.subtle ?? crypto.subtle;
  const limits = { ...retryLimits, ...options.retry };
  const nonces = new DpopNonces();
  const auth = createAuthClient({ baseUrl: options.baseUrl, dpop: options.dpop, fetch: fetchImpl, subtle, nonces });
  const listeners = new Set<(reason: SignedOutReason) => void>();
  let refreshing: Promise<TokenSet | undefined> | undefined;

  async function signedOut(reason: SignedOutReason): Promise<void> {
    await options.tokens.clear();
    for (const listener of listeners) listener(reason);
  }

  /**
   * The tokens after a refresh of `stale` (the access token a call was refused with, or that
   * expired). Callers arriving while a refresh runs share it; one arriving after it finished finds
   * newer tokens and uses them. A refused refresh (the grant is over) signs out; a network failure
   * or 5xx keeps the tokens, since the next call may succeed.
   */
  function refreshFrom(stale: string): Promise<TokenSet | undefined> {
    const lock = options.refreshLock ?? ((refresh) => refresh());
    refreshing ??= lock(async () => {
      const current = await options.tokens.load();
      if (!current || current.accessToken !== stale) return current;
      if (!current.refreshToken) {
        await signedOut('refresh_refused');
        return undefined;
      }
      try {
        const renewed = await auth.refresh(current.refreshToken);
        await options.tokens.save({ ...renewed, idToken: renewed.idToken ?? current.idToken });
        return options.tokens.load();
      } catch (error) {
        if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) {
          await signedOut('refresh_refused');
          return undefined;
        }
        throw error;
      }
    }).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function usableTokens(): Promise<TokenSet | undefined> {
    const tokens = await options.tokens.load();
    if (tokens && tokens.accessTokenExpiresAtMs - expirySkewMs <= Date.now()) return refreshFrom(tokens.accessToken);
    return tokens;
  }

  async function signedFetch(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    // Read once: every repeat sends the same bytes (a Request body can be consumed only once).
    const body = method === 'GET' || method === 'HEAD' ? undefined : await request.arrayBuffer();
    const repeatable = idempotentMethods.has(method) || request.headers.has('idempotency-key');
    let nonceRetried = false;
    let refreshed = false;
    let waits = 0;
    for (let attempt = 0; attempt < attemptsPerCallMax; attempt++) {
      const tokens = await usableTokens();
      const headers = new Headers(request.headers);
      if (tokens) {
        headers.set('authorization', `DPoP ${tokens.accessToken}`);
        const nonce = nonces.get(request.url);
        headers.set(
          'dpop',
          await createDpopProof(subtle, options.dpop, {
            method,
            url: request.url,
            accessToken: tokens.accessToken,
            nonce,
          }),
        );
      }
      // The caller's signal (TanStack Query cancels queries with it) goes on every repeat.
      const response = await fetchImpl(new Request(request.url, { method, headers, body, signal: request.signal }));
      nonces.learn(request.url, response.headers);
      if (!nonceRetried && tokens && (await wantsDpopNonce(response))) {
        nonceRetried = true;
        continue;
      }
      if (!refreshed && tokens && response.status === 401 && isInvalidToken(response)) {
        refreshed = true;
        if (await refreshFrom(tokens.accessToken)) continue;
        return response;
      }
      const waitS = retryAfterSOf(response.headers);
      const busy = response.status === 503 || response.status === 429;
      if (busy && repeatable && waitS !== undefined && waits < limits.attemptsMax && waitS * 1000 <= limits.waitMaxMs) {
        waits++;
        await new Promise((resolve) => setTimeout(resolve, waitS * 1000));
        continue;
      }
      return response;
    }
    throw new ApiProblem(503, { code: 'retries_exhausted', detail: 'The service did not answer. Try again later.' });
  }

  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/$/, ''), fetch: signedFetch });
  client.use({
    async onResponse({ response }) {
      if (!response.ok) throw await problemOf(response);
      return undefined;
    },
  });

  return Object.assign(client, {
    auth,
    signedFetch,
    async completeSignIn(callbackUrl: string, pending: PendingSignIn) {
      await options.tokens.save(await auth.completeSignIn(callbackUrl, pending));
    },
    async signOut() {
      const tokens = await options.tokens.load();
      // Revoking the refresh token ends the grant server-side; offline, the tokens still go.
      if (tokens?.refreshToken) await auth.revoke(tokens.refreshToken).catch(() => {});
      await signedOut('signed_out');
    },
    onSignedOut(listener: (reason: SignedOutReason) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
}

function isInvalidToken(response: Response): boolean {
  return /error="invalid_token"/.test(response.headers.get('www-authenticate') ?? '');
}
