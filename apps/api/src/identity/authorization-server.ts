import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import Provider, { type ClientMetadata, type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { AppDependencies } from '../app.ts';
import { apiAudienceOf, backofficeClientId, backofficeScope, issuerOf, mobileClientId } from '../platform/auth.ts';
import type { Config } from '../platform/config.ts';
import {
  accessTokenTtlS,
  authorizationCodeTtlS,
  loginInteractionTtlS,
  loginSessionTtlS,
  refreshTokenTtlS,
} from '../platform/constants.ts';
import { errorPage, pageHeaders, signedOutPage, signOutPage } from './login-pages.ts';
import { createOAuthStore } from './oauth-store.ts';
import type { IdentityService } from './service.ts';

/**
 * The OAuth 2.0 / OpenID Connect authorization server, built on oidc-provider (OpenID Certified).
 * See docs/adr/0010-authorization-server-oidc-provider.md for the choices made here:
 * - nextgen-mobile: public client, authorization code + PKCE S256 only, refresh tokens that rotate
 *   on every use (a reused one revokes the grant), all bound to the sign-in session so that logout
 *   ends them too.
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
        scope: backofficeScope,
        audience,
        accessTokenTTL: accessTokenTtlS,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      };
    },
  };
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
    scopes: ['openid', 'offline_access', backofficeScope],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    acceptQueryParamAccessTokens: false,
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
    },
    formats: {
      customizers: {
        jwt: (_ctx, token, jwt) => {
          if ('grantId' in token && typeof token.grantId === 'string') jwt.payload.gid = token.grantId;
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
      client.clientAuthMethod === 'none' &&
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin) &&
      origin !== 'null',
    renderError: (ctx, out) => renderPage(ctx, errorPage(out.error, out.error_description)),
  };
}

export function createAuthorizationServer(
  deps: AppDependencies,
  identity: IdentityService,
  log: FastifyBaseLogger,
): Provider {
  const store = createOAuthStore(deps.db, {
    onGrantRevoked: identity.markGrantRevoked,
    onPurgeFailed: (error) => log.warn({ err: error }, 'could not purge expired OAuth artefacts'),
  });
  const provider = new Provider(issuerOf(deps.config), configurationOf(deps, identity, store));
  // In production the API runs behind a TLS-terminating load balancer: trust its X-Forwarded-Proto
  // so cookies are marked Secure and URLs use https.
  provider.proxy = deps.config.environment === 'production';
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) =>
    log.error({ err: error }, 'authorization server error'),
  );
  return provider;
}
