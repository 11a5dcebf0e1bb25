import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import Provider, { type ClientMetadata, type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { operatorRoleScopes } from '../backoffice/index.ts';
import { apiAudienceOf, backofficeClientId, backofficeScope, issuerOf, mobileClientId } from '../platform/auth.ts';
import type { Config } from '../platform/config.ts';
import {
  accessTokenTtlS,
  authorizationCodeTtlS,
  loginInteractionTtlS,
  loginSessionTtlS,
  refreshTokenTtlS,
} from '../platform/constants.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { dpopAlgorithms, dpopNonceSecretOf } from '../platform/dpop.ts';
import { errorPage, pageHeaders, signedOutPage, signOutPage } from './login-pages.ts';
import { createOAuthStore } from './oauth-store.ts';
import { answerRefreshRetries } from './refresh-retry.ts';
import type { IdentityService } from './service.ts';
import type { SessionsService } from './sessions.ts';

/**
 * The OAuth 2.0 / OpenID Connect authorization server, built on oidc-provider (OpenID Certified).
 * See docs/adr/0010-authorization-server-oidc-provider.md for the choices made here:
 * - nextgen-mobile: public client held to the FAPI 2.0 Security Profile as far as a public client
 *   can be (ADR 0015): pushed authorization requests (PAR) only, authorization code + PKCE S256,
 *   `iss` in the authorization response, DPoP-bound access and refresh tokens (with server nonces),
 *   refresh tokens that rotate on every use (a reused one revokes the grant, except a repeat within
 *   the retry window that gets the answer it lost, refresh-retry.ts, ADR 0135), all bound to the
 *   sign-in session so that logout ends them too. Each code exchange records a sign-in session and
 *   device (sessions.ts, ADR 0016).
 * - nextgen-backoffice: confidential client (client_secret_basic), client credentials, scope backoffice.
 * - Access tokens are RFC 9068 JWTs (ES256, at most accessTokenTtlS) for the banking API resource,
 *   carrying the grant id (`gid`) so the API can refuse tokens of a revoked grant before they expire.
 */
function clientsOf(config: Config, backofficeSecret: string): ClientMetadata[] {
  return [
    {
      client_id: mobileClientId,
      client_name: 'NextGen',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [...config.mobileRedirectUris],
      post_logout_redirect_uris: [...config.mobileRedirectUris],
      scope: 'openid offline_access',
      id_token_signed_response_alg: 'ES256',
      // RFC 9449: the app must prove possession of its DPoP key for every token it gets.
      dpop_bound_access_tokens: true,
      require_pushed_authorization_requests: true,
      response_modes: ['query'],
    },
    {
      client_id: backofficeClientId,
      client_name: 'NextGen back office',
      client_secret: backofficeSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: backofficeScope,
    },
  ];
}

/** The back-office secret; outside production an unset one becomes a random secret nobody knows. */
function backofficeSecretOf(config: Config): string {
  if (config.backofficeClientSecret) return config.backofficeClientSecret;
  if (config.environment === 'production') throw new Error('BACKOFFICE_CLIENT_SECRET is required in production');
  return randomBytes(32).toString('base64url');
}

function resourceIndicators(audience: string): NonNullable<Configuration['features']>['resourceIndicators'] {
  return {
    enabled: true,
    // Every token is for the banking API unless a client names another resource (none exists yet).
    defaultResource: () => audience,
    useGrantedResource: () => true,
    getResourceServerInfo: (_ctx, resourceIndicator) => {
      if (resourceIndicator !== audience) throw new errors.InvalidTarget();
      return {
        scope: [backofficeScope, ...operatorRoleScopes].join(' '),
        audience,
        accessTokenTTL: accessTokenTtlS,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      };
    },
  };
}

/**
 * The app's pushed authorization requests must carry a DPoP proof (ADR 0015): the proof binds the
 * code to the device key from the first request on, so a code intercepted on its way back is
 * useless elsewhere. oidc-provider accepts a PAR without one (the binding is optional in RFC 9449
 * §10), so this refuses it. It runs after the library checked a proof that is present
 * (checkDpopJkt), so a present header here is a valid, unreplayed proof; `dpop_jkt` alone is not
 * enough: it names a key without proving its possession.
 */
export const parProofRequired =
  'a DPoP proof is required: send the pushed authorization request with a DPoP header signed by the device key';

function requireDpopOnPar(ctx: KoaContextWithOIDC, _value: unknown, client: { clientId: string } | undefined) {
  if (ctx.oidc.route !== 'pushed_authorization_request' || client?.clientId !== mobileClientId) return;
  if (!ctx.get('dpop')) throw new errors.InvalidRequest(parProofRequired);
}

function renderPage(ctx: KoaContextWithOIDC, html: string): void {
  ctx.set(pageHeaders);
  ctx.body = html;
}

function configurationOf(
  deps: AppDependencies,
  identity: IdentityService,
  store: Configuration['adapter'],
): Configuration {
  const { config, keys } = deps;
  const cookie = { httpOnly: true, sameSite: 'lax' as const, signed: true };
  return {
    adapter: store,
    clients: clientsOf(config, backofficeSecretOf(config)),
    jwks: keys.privateJwks as Configuration['jwks'],
    cookies: {
      keys: keys.cookieSecrets,
      // Lifetimes follow the Session and Interaction TTLs below.
      long: cookie,
      short: cookie,
    },
    async findAccount(_ctx, id) {
      // A closed or locked customer's refresh tokens stop working at their next use.
      if (!(await identity.isCustomerActive(id))) return undefined;
      return { accountId: id, claims: () => ({ sub: id }) };
    },
    scopes: ['openid', 'offline_access', backofficeScope, ...operatorRoleScopes],
    // amr (RFC 8176) tells the app how the customer signed in: ['pwd'], ['pwd', 'hwk', 'user'] or ['hwk', 'user'].
    claims: { openid: ['sub', 'amr'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'], dPoPSigningAlgValues: [...dpopAlgorithms] },
    acceptQueryParamAccessTokens: false,
    // Not a parameter of ours: its validation hook runs for every authorization request, present or not.
    extraParams: { dpop_jkt: requireDpopOnPar },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A client may revoke only its own tokens; anything else is ignored, as RFC 7009 allows.
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => renderPage(ctx, signOutPage(form)),
        postLogoutSuccessSource: (ctx) => renderPage(ctx, signedOutPage()),
      },
      resourceIndicators: resourceIndicators(apiAudienceOf(config)),
      // Nonces from the same secret as the API's (platform/dpop.ts), so one nonce serves both.
      dPoP: { enabled: true, nonceSecret: dpopNonceSecretOf(keys), requireNonce: () => true, allowReplay: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      // The library's FAPI 2.0 checks for the app (redirect_uri always required, PKCE, request
      // object claims); the back office is a machine client outside the profile (ADR 0015).
      fapi: { enabled: true, profile: (_ctx, client) => (client?.clientId === mobileClientId ? '2.0' : undefined) },
    },
    formats: {
      customizers: {
        jwt: (ctx, token, jwt) => {
          if ('grantId' in token && typeof token.grantId === 'string') jwt.payload.gid = token.grantId;
          // auth_time (as in ID tokens): the sign-in the code or refresh token came from; a refresh
          // keeps it, so only signing in again makes a token "recent" (auth.ts requireRecentSignIn).
          const entities = ctx?.oidc?.entities;
          const authTime = entities?.AuthorizationCode?.authTime ?? entities?.RefreshToken?.authTime;
          if (typeof authTime === 'number') jwt.payload.auth_time = authTime;
        },
      },
    },
    ttl: {
      AccessToken: accessTokenTtlS,
      ClientCredentials: accessTokenTtlS,
      AuthorizationCode: authorizationCodeTtlS,
      IdToken: accessTokenTtlS,
      Interaction: loginInteractionTtlS,
      Session: loginSessionTtlS,
      Grant: loginSessionTtlS,
      RefreshToken: refreshTokenTtlS,
    },
    rotateRefreshToken: true,
    // Bind codes and refresh tokens to the sign-in session: logging out (or the session expiring)
    // ends them. The library's default keeps offline_access grants alive after logout.
    expiresWithSession: () => true,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientAuthMethod === 'none' && appOriginAllowed(client.redirectUris ?? [], origin),
    renderError: (ctx, out) => renderPage(ctx, errorPage(out.error, out.error_description)),
  };
}

/** A browser origin a public client may call the token endpoint from: one of its redirect URIs' origins. */
function appOriginAllowed(redirectUris: readonly string[], origin: string): boolean {
  return origin !== 'null' && redirectUris.some((uri) => URL.parse(uri)?.origin === origin);
}

/** The claims of an access token this server just issued (so its signature need not be checked). */
function claimsOfIssued(accessToken: unknown): Record<string, unknown> | undefined {
  const payload = typeof accessToken === 'string' ? accessToken.split('.')[1] : undefined;
  if (!payload) return undefined;
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * Koa middleware around the token endpoint: after a successful code exchange it records the
 * sign-in session and device (sessions.ts), after a refresh it marks the session used. It runs
 * before the response is sent, so the session exists by the time the app holds its tokens. If
 * recording fails the app gets a server_error instead of its tokens and signs in again; the grant
 * it never received is then held by nobody and expires with its sign-in session.
 */
function recordSessions(sessions: SessionsService) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const grantType = ctx.oidc.params?.grant_type;
    const claims = claimsOfIssued((ctx.body as { access_token?: unknown } | undefined)?.access_token);
    const grantId = claims?.gid;
    if (typeof grantId !== 'string' || typeof claims?.sub !== 'string' || claims.client_id !== mobileClientId) return;
    if (grantType === 'refresh_token') {
      await sessions.recordRefresh(grantId, ctx.ip);
      return;
    }
    const keyThumbprint = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;
    if (grantType !== 'authorization_code' || typeof keyThumbprint !== 'string') return;
    await sessions.recordSignIn({
      customerId: claims.sub,
      grantId,
      keyThumbprint,
      userAgent: ctx.get('user-agent') || undefined,
      ip: ctx.ip,
    });
  };
}

/** What Fastify (@fastify/middie) hands the provider: the raw request, with the client address it resolved. */
export interface ProviderRequest extends IncomingMessage {
  ip?: string;
}

/**
 * Pins a request to the authorization server to PUBLIC_URL before oidc-provider sees it. The
 * library builds every URL it issues or checks (endpoints in discovery, redirects, a DPoP proof's
 * expected htu) from the request's scheme and host; those come from PUBLIC_URL here, never from the
 * client's Host or X-Forwarded-Host, so a proof made for another host is refused and no URL names a
 * host an attacker chose. The client address is the one Fastify resolved under TRUST_PROXY: the
 * provider and the API trust the same proxies (none by default).
 */
export function publicRequestOf(config: Pick<Config, 'publicUrl'>) {
  const publicUrl = new URL(config.publicUrl);
  const scheme = publicUrl.protocol.slice(0, -1);
  return (request: ProviderRequest): ProviderRequest => {
    request.headers['x-forwarded-proto'] = scheme;
    request.headers['x-forwarded-host'] = publicUrl.host;
    if (request.ip) request.headers['x-forwarded-for'] = request.ip;
    else delete request.headers['x-forwarded-for'];
    return request;
  };
}

export function createAuthorizationServer(
  deps: AppDependencies,
  identity: IdentityService,
  log: FastifyBaseLogger,
  clients: { readonly findClient?: (clientId: string) => Promise<ClientMetadata | undefined> } = {},
  sessions?: SessionsService,
): Provider {
  const store = createOAuthStore(deps.db, {
    // Back-office operators are clients stored in the database (backoffice/operators.ts).
    ...(clients.findClient ? { findClient: clients.findClient } : {}),
    onGrantRevoked: async (grantId) => {
      await identity.markGrantRevoked(grantId);
      await sessions?.recordGrantEnded(grantId);
    },
    onPurgeFailed: (error) => log.warn({ err: error }, 'could not purge expired OAuth artefacts'),
  });
  const provider = new Provider(issuerOf(deps.config), configurationOf(deps, identity, store));
  // Koa reads X-Forwarded-*, but only the ones publicRequestOf writes: PUBLIC_URL's scheme and host,
  // and the client address Fastify resolved under TRUST_PROXY. Nothing a client sends reaches it.
  provider.proxy = true;
  if (sessions) provider.use(recordSessions(sessions));
  // Inside recordSessions: an answer is remembered before the session is recorded, so a failed
  // recording (a 500 after the rotation) is retried from the window instead of revoking the grant.
  provider.use(
    answerRefreshRetries(provider, {
      cache: deps.cache,
      config: deps.config,
      keys: deps.keys,
      identity,
      appOriginAllowed: (origin) => appOriginAllowed(deps.config.mobileRedirectUris, origin),
      log,
    }),
  );
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) =>
    log.error({ err: error }, 'authorization server error'),
  );
  return provider;
}
