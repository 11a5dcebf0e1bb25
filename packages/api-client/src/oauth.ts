import { createDpopProof, type DpopKeyPair, DpopNonces, wantsDpopNonce } from './dpop.ts';
import { randomBase64url, type Subtle, sha256Base64url } from './encoding.ts';
import { ApiProblem, problemOf } from './problem.ts';
import type { TokenSet } from './tokens.ts';

/**
 * Sign-in primitives for the app (docs/api/authentication.md): PKCE S256, a pushed authorization
 * request with a DPoP proof, the authorization URL for the system browser or a web redirect, the
 * redirect's `state` and RFC 9207 `iss` checks, and the token endpoint calls (code, refresh,
 * revocation), each proven with the device's key. Platform-neutral: WebCrypto and fetch only.
 */
export const mobileClientId = 'nextgen-mobile';
const defaultScope = 'openid offline_access';

export interface AuthClientOptions {
  /** The API's origin, e.g. https://bank.example (the authorization server is at /oidc). */
  readonly baseUrl: string;
  readonly dpop: DpopKeyPair;
  readonly fetch?: typeof fetch;
  readonly subtle?: Subtle;
  readonly clientId?: string;
  /** Shared with the API client: one nonce serves both servers on one origin. */
  readonly nonces?: DpopNonces;
}

interface Discovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly pushed_authorization_request_endpoint: string;
  readonly revocation_endpoint: string;
}

/** What the app keeps while the browser is away: needed to check and finish the redirect. */
export interface PendingSignIn {
  readonly authorizationUrl: string;
  readonly state: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

export interface BeginSignInOptions {
  readonly redirectUri: string;
  /** Default `consent` (needed for a refresh token); `login consent` always asks for the password. */
  readonly prompt?: string;
  /** Seconds; `300` when a recent sign-in is required (RFC 9470 step-up of the sign-in). */
  readonly maxAgeS?: number;
}

/** A redirect that must not be used: wrong `state`, another issuer, an error, no code. */
export class SignInRedirectError extends Error {
  readonly code: 'state_mismatch' | 'issuer_mismatch' | 'authorization_error' | 'code_missing';
  /** The authorization server's `error` (e.g. access_denied) when code is authorization_error. */
  readonly oauthError: string | undefined;
  constructor(code: SignInRedirectError['code'], message: string, oauthError?: string) {
    super(message);
    this.name = 'SignInRedirectError';
    this.code = code;
    this.oauthError = oauthError;
  }
}

export interface Pkce {
  readonly codeVerifier: string;
  readonly codeChallenge: string;
  readonly codeChallengeMethod: 'S256';
}

/** RFC 7636: a 256-bit verifier and its S256 challenge. */
export async function createPkce(subtle: Subtle = crypto.subtle): Promise<Pkce> {
  const codeVerifier = randomBase64url(32);
  return { codeVerifier, codeChallenge: await sha256Base64url(subtle, codeVerifier), codeChallengeMethod: 'S256' };
}

/** Checks a redirect against the pending sign-in (state, RFC 9207 iss) and answers its code. */
export function authorizationCodeOf(callbackUrl: string, pending: PendingSignIn, issuer: string): string {
  const params = new URL(callbackUrl).searchParams;
  // Compare state first: an answer to another request says nothing trustworthy, errors included.
  if (params.get('state') !== pending.state) {
    throw new SignInRedirectError('state_mismatch', 'The sign-in answer belongs to another request.');
  }
  if (params.get('iss') !== issuer) {
    throw new SignInRedirectError('issuer_mismatch', 'The sign-in answer came from another authorization server.');
  }
  const error = params.get('error');
  if (error) {
    throw new SignInRedirectError('authorization_error', params.get('error_description') ?? error, error);
  }
  const code = params.get('code');
  if (!code) throw new SignInRedirectError('code_missing', 'The sign-in answer carried no authorization code.');
  return code;
}

export interface AuthClient {
  readonly nonces: DpopNonces;
  /** The discovery document's issuer: what every redirect's `iss` must equal. */
  issuer(): Promise<string>;
  /** PKCE, state, the pushed authorization request; open `authorizationUrl` in the browser. */
  beginSignIn(options: BeginSignInOptions): Promise<PendingSignIn>;
  /** Checks the redirect and exchanges its code (DPoP-proven) for tokens. */
  completeSignIn(callbackUrl: string, pending: PendingSignIn): Promise<TokenSet>;
  /** One refresh: the answer carries the next refresh token; the one sent is spent. */
  refresh(refreshToken: string): Promise<TokenSet>;
  /** RFC 7009: revoking the refresh token ends the whole sign-in (grant). */
  revoke(token: string): Promise<void>;
}

export function createAuthClient(options: AuthClientOptions): AuthClient {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const subtle = options.subtle ?? crypto.subtle;
  const clientId = options.clientId ?? mobileClientId;
  const nonces = options.nonces ?? new DpopNonces();
  const base = options.baseUrl.replace(/\/$/, '');
  let discovery: Promise<Discovery> | undefined;

  const discover = () => {
    discovery ??= (async () => {
      const response = await fetchImpl(`${base}/oidc/.well-known/openid-configuration`);
      if (!response.ok) {
        discovery = undefined;
        throw await problemOf(response);
      }
      return (await response.json()) as Discovery;
    })();
    return discovery;
  };

  /** A form POST proven with the device key; one retry when the server asks for a fresh nonce. */
  async function dpopPost(url: string, fields: Record<string, string>): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const proof = await createDpopProof(subtle, options.dpop, { method: 'POST', url, nonce: nonces.get(url) });
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
        body: new URLSearchParams(fields).toString(),
      });
      nonces.learn(url, response.headers);
      if (attempt === 0 && (await wantsDpopNonce(response))) continue;
      return response;
    }
  }

  async function tokenRequest(fields: Record<string, string>): Promise<TokenSet> {
    const response = await dpopPost((await discover()).token_endpoint, { ...fields, client_id: clientId });
    if (!response.ok) throw await problemOf(response);
    const body = (await response.json()) as Record<string, unknown>;
    if (typeof body.access_token !== 'string' || body.token_type !== 'DPoP') {
      throw new ApiProblem(502, { code: 'token_response_invalid', detail: 'The sign-in answer was not understood.' });
    }
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
      idToken: typeof body.id_token === 'string' ? body.id_token : undefined,
      accessTokenExpiresAtMs: Date.now() + Number(body.expires_in ?? 0) * 1000,
    };
  }

  return {
    nonces,
    issuer: async () => (await discover()).issuer,

    async beginSignIn({ redirectUri, prompt = 'consent', maxAgeS }) {
      const endpoints = await discover();
      const pkce = await createPkce(subtle);
      const state = randomBase64url(16);
      const fields: Record<string, string> = {
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: defaultScope,
        prompt,
        state,
        code_challenge: pkce.codeChallenge,
        code_challenge_method: pkce.codeChallengeMethod,
      };
      if (maxAgeS !== undefined) fields.max_age = String(maxAgeS);
      const response = await dpopPost(endpoints.pushed_authorization_request_endpoint, fields);
      if (response.status !== 201) throw await problemOf(response);
      const { request_uri: requestUri } = (await response.json()) as { request_uri: string };
      const query = new URLSearchParams({ client_id: clientId, request_uri: requestUri });
      return {
        authorizationUrl: `${endpoints.authorization_endpoint}?${query}`,
        state,
        codeVerifier: pkce.codeVerifier,
        redirectUri,
      };
    },

    async completeSignIn(callbackUrl, pending) {
      const code = authorizationCodeOf(callbackUrl, pending, (await discover()).issuer);
      return tokenRequest({
        grant_type: 'authorization_code',
        code,
        redirect_uri: pending.redirectUri,
        code_verifier: pending.codeVerifier,
      });
    },

    refresh: (refreshToken) => tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }),

    async revoke(token) {
      const response = await fetchImpl((await discover()).revocation_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: 'refresh_token', client_id: clientId }).toString(),
      });
      if (!response.ok) throw await problemOf(response);
    },
  };
}
