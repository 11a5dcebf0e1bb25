import type { FastifyRequest } from 'fastify';
import { createLocalJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { Config } from './config.ts';
import { tokenClockToleranceS, verifiedTokensCachedMax } from './constants.ts';
import { type DpopNonces, type DpopProof, invalidDpopProof, verifyDpopProof } from './dpop.ts';
import { DomainError, forbidden, unauthorized } from './errors.ts';
import { isId } from './ids.ts';
import type { KeyMaterial } from './keys.ts';
import { customerInactive } from './problems.ts';

/**
 * The API is an OAuth 2.0 resource server: every /api/v1 call carries a short-lived JWT access
 * token (RFC 9068) issued by the platform's own authorization server under /oidc. The token is
 * verified once per request by the admission hook (platform/admission.ts), so the rate limiter can
 * count per caller and the route's guard reuses the result.
 *
 * Customer tokens are DPoP-bound (RFC 9449, `cnf.jkt`): they are sent as `Authorization: DPoP
 * <token>` with a `DPoP` proof signed by the app's key, and a bearer copy of one is worthless.
 * Back-office (operator) tokens of the confidential client stay bearer tokens (ADR 0015).
 */
export const mobileClientId = 'nextgen-mobile';
export const backofficeClientId = 'nextgen-backoffice';
export const backofficeScope = 'backoffice';

export const issuerOf = (config: Pick<Config, 'publicUrl'>) => `${config.publicUrl}/oidc`;
/** The resource indicator (RFC 8707) of the banking API; access tokens carry it as `aud`. */
export const apiAudienceOf = (config: Pick<Config, 'publicUrl'>) => `${config.publicUrl}/api`;

export interface Principal {
  readonly kind: 'customer' | 'operator';
  /** The customer id (cus_…) for customers; the client id for operators. */
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: ReadonlySet<string>;
  readonly tokenId: string;
  /** The grant (sign-in) the token was issued under, when it has one: sessions show it as "current". */
  readonly grantId?: string | undefined;
  /**
   * When the customer signed in (the token's `auth_time`, seconds since the epoch; kept across
   * refreshes): changing how the account authenticates needs a recent one (requireRecentSignIn).
   */
  readonly authTimeS?: number | undefined;
  /**
   * The thumbprint (RFC 7638) of the key a customer's token is bound to (`cnf.jkt`): admission
   * checked that the request's DPoP proof was signed by it, so it names the customer's device.
   */
  readonly keyThumbprint?: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    authFailure: DomainError | undefined;
  }
}

const realm = 'Bearer realm="nextgen"';
const dpopRealm = 'DPoP realm="nextgen", algs="ES256 EdDSA Ed25519 PS256"';

function invalidToken(description: string, action = 'Sign in again to get a new one.'): DomainError {
  return unauthorized('invalid_token', `Your access token is ${description}. ${action}`, {
    headers: {
      'www-authenticate': `${realm}, error="invalid_token", error_description="access token is ${description}", ${dpopRealm}`,
    },
  });
}

/** A token whose signature and claims were checked: only its expiry and grant change afterwards. */
export interface VerifiedToken {
  readonly principal: Principal;
  readonly grantId: string | undefined;
  readonly expiresAtMs: number;
  /** The JWK thumbprint (RFC 7638) of the key the token is bound to (`cnf.jkt`); undefined for bearer tokens. */
  readonly keyThumbprint: string | undefined;
}

export interface TokenVerifier {
  /** Checks signature, issuer, audience, type and claims (remembered per token) and expiry. */
  verify(token: string): Promise<VerifiedToken>;
  /** True when the grant the token was issued under has been revoked since. */
  isRevoked(token: VerifiedToken): Promise<boolean>;
}

export interface TokenVerifierOptions {
  /**
   * True when the grant a token was issued under (its `gid` claim) was revoked by logout, token
   * revocation or refresh-token reuse: such tokens are refused before they expire.
   */
  readonly isGrantRevoked?: (grantId: string) => Promise<boolean>;
  /** The clock, in ms since the epoch; tests move it. */
  readonly now?: () => number;
}

const clockToleranceS = tokenClockToleranceS;

function principalOf(payload: Record<string, unknown>, grantId: string | undefined): Principal {
  const clientId = String(payload.client_id);
  const scopes = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
  // Operators: the shared back-office client, or a named operator's own client (opr_…, backoffice/operators.ts).
  if ((clientId === backofficeClientId || isId('operator', clientId)) && scopes.has(backofficeScope)) {
    return { kind: 'operator', subject: clientId, clientId, scopes, tokenId: String(payload.jti), grantId };
  }
  if (typeof payload.sub !== 'string' || !payload.sub.startsWith('cus_')) throw invalidToken('invalid');
  // Only the app signs customers in: a customer subject in another client's token (an operator's
  // client, a future partner client) is not a customer session, whatever else it carries.
  if (clientId !== mobileClientId) throw invalidToken('invalid');
  const authTimeS = typeof payload.auth_time === 'number' ? payload.auth_time : undefined;
  return { kind: 'customer', subject: payload.sub, clientId, scopes, tokenId: String(payload.jti), grantId, authTimeS };
}

/** `cnf.jkt` of a token; a cnf claim of any other shape makes the token invalid. */
function keyThumbprintOf(payload: Record<string, unknown>): string | undefined {
  if (payload.cnf === undefined) return undefined;
  const jkt = (payload.cnf as { jkt?: unknown } | null)?.jkt;
  if (typeof jkt !== 'string' || jkt.length === 0) throw invalidToken('invalid');
  return jkt;
}

export function createTokenVerifier(
  config: Config,
  keys: KeyMaterial,
  options: TokenVerifierOptions = {},
): TokenVerifier {
  const jwks = createLocalJWKSet(keys.publicJwks as Parameters<typeof createLocalJWKSet>[0]);
  const issuer = issuerOf(config);
  const audience = apiAudienceOf(config);
  const now = options.now ?? Date.now;
  // An app sends the same token with every call for its lifetime (≤ 10 minutes): checking the
  // ES256 signature once per token instead of once per request saves a fifth of the API's CPU.
  // Keyed by the whole token, so a forged payload never matches a verified entry.
  const verified = new Map<string, VerifiedToken>();

  async function verifySignatureAndClaims(token: string): Promise<VerifiedToken> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        audience,
        algorithms: ['ES256'],
        typ: 'at+jwt',
        clockTolerance: clockToleranceS,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'iat', 'jti', 'client_id'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw invalidToken('expired');
      throw invalidToken('invalid');
    }
    const grantId = typeof payload.gid === 'string' ? payload.gid : undefined;
    const keyThumbprint = keyThumbprintOf(payload);
    const principal: Principal = { ...principalOf(payload, grantId), keyThumbprint };
    // Customers' tokens must be sender-constrained: a bearer customer token is not one we issued.
    if (principal.kind === 'customer' && keyThumbprint === undefined) throw invalidToken('not DPoP-bound');
    const expiresAtMs = (Number(payload.exp) + clockToleranceS) * 1000;
    return { principal, grantId, expiresAtMs, keyThumbprint };
  }

  return {
    async verify(token) {
      let entry = verified.get(token);
      if (entry && entry.expiresAtMs <= now()) {
        verified.delete(token);
        throw invalidToken('expired');
      }
      if (!entry) {
        entry = await verifySignatureAndClaims(token);
        if (verified.size >= verifiedTokensCachedMax) {
          // Maps iterate in insertion order: drop the oldest verification.
          const oldest = verified.keys().next().value;
          if (oldest !== undefined) verified.delete(oldest);
        }
        verified.set(token, entry);
      }
      return entry;
    },
    async isRevoked(token) {
      return token.grantId !== undefined && (await options.isGrantRevoked?.(token.grantId)) === true;
    },
  };
}

/** Verifies a token completely, revocation included (for callers outside the request hook). */
export async function verifyAccessToken(verifier: TokenVerifier, token: string): Promise<Principal> {
  const verified = await verifier.verify(token);
  if (await verifier.isRevoked(verified)) throw revokedToken();
  return verified.principal;
}

export const revokedToken = () => invalidToken('revoked');

/** The token's customer was locked, closed or erased after it was issued. */
export const inactiveCustomer = () =>
  customerInactive({
    wwwAuthenticate: `${realm}, error="invalid_token", error_description="the customer account is not active", ${dpopRealm}`,
  });

/** A caller whose token verified, and the DPoP proof that came with it (for the replay check). */
export interface IdentifiedCaller {
  readonly token: VerifiedToken;
  readonly proof: DpopProof | undefined;
}

export interface CallerCheck {
  readonly verifier: TokenVerifier;
  readonly nonces: DpopNonces;
  /**
   * PUBLIC_URL: the only origin a proof's htu may name. Never the request's own Host or
   * X-Forwarded-Host, which the client (or anyone in front of a misconfigured proxy) chooses.
   */
  readonly publicUrl: string;
  /** The clock, in ms since the epoch; tests move it. */
  readonly now?: () => number;
}

const authorizationPattern = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

function badAuthorizationHeader(): DomainError {
  return unauthorized(
    'invalid_token',
    'The Authorization header must be "DPoP <access token>" (customers) or "Bearer <access token>" (operators).',
    { headers: { 'www-authenticate': `${realm}, error="invalid_request", ${dpopRealm}` } },
  );
}

/**
 * The URL the client addressed, without query: what a proof's htu must name (RFC 9449 §4.3). Built
 * from PUBLIC_URL, so a proof made for another host never matches, whatever Host header came with it.
 */
const requestUrlOf = (publicUrl: string, request: FastifyRequest) => `${publicUrl}${request.url.split('?')[0] ?? '/'}`;

/** Checks the scheme and, for a DPoP-bound token, its proof. */
async function checkPossession(
  check: CallerCheck,
  request: FastifyRequest,
  scheme: string,
  accessToken: string,
  token: VerifiedToken,
): Promise<DpopProof | undefined> {
  const dpopScheme = scheme.toLowerCase() === 'dpop';
  if (token.keyThumbprint === undefined) {
    if (dpopScheme) throw invalidToken('not DPoP-bound', 'Send it as "Authorization: Bearer <token>".');
    return undefined;
  }
  // RFC 9449 §7.2: a DPoP-bound token presented as a bearer token is refused.
  if (!dpopScheme) {
    throw invalidToken('DPoP-bound', 'Send it as "Authorization: DPoP <token>" with a DPoP proof header.');
  }
  const header = request.headers.dpop;
  if (header === undefined) throw invalidDpopProof('is missing: send exactly one DPoP header');
  // Node joins repeated headers with ", "; a compact JWS never contains a comma.
  if (typeof header !== 'string' || header.includes(',')) throw invalidDpopProof('must be exactly one DPoP header');
  const nowMs = (check.now ?? Date.now)();
  const proof = await verifyDpopProof(
    header,
    {
      method: request.method,
      url: requestUrlOf(check.publicUrl, request),
      accessToken,
      nowS: Math.floor(nowMs / 1000),
    },
    check.nonces,
  );
  if (proof.keyThumbprint !== token.keyThumbprint)
    throw invalidDpopProof('is signed by a key the token is not bound to');
  return proof;
}

/**
 * Reads and verifies the access token and its DPoP proof, if any; failures are kept for the route
 * guard to throw. Returns the verified token and proof so the caller can check revocation and proof
 * replay alongside other cache work.
 */
export async function identifyCaller(
  check: CallerCheck,
  request: FastifyRequest,
): Promise<IdentifiedCaller | undefined> {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = authorizationPattern.exec(header);
  if (!match?.[1] || !match[2]) {
    request.authFailure = badAuthorizationHeader();
    return undefined;
  }
  try {
    const token = await check.verifier.verify(match[2]);
    const proof = await checkPossession(check, request, match[1], match[2], token);
    request.principal = token.principal;
    return { token, proof };
  } catch (error) {
    if (error instanceof DomainError) request.authFailure = error;
    else throw error;
    return undefined;
  }
}

function unauthenticated(request: FastifyRequest): DomainError {
  return (
    request.authFailure ??
    unauthorized('unauthenticated', 'Sign in first: send an access token in the Authorization header.', {
      headers: { 'www-authenticate': `${realm}, ${dpopRealm}` },
    })
  );
}

/** Route guard: the caller is a signed-in customer. Returns the customer id. */
export function requireCustomer(request: FastifyRequest): string {
  const principal = request.principal;
  if (!principal) throw unauthenticated(request);
  if (principal.kind !== 'customer')
    throw forbidden('customer_only', 'This operation is for customers; operators use the back-office API.');
  return principal.subject;
}

/**
 * Route guard for changes to how the account authenticates (passkeys, other sessions): the caller is
 * a customer whose sign-in (auth_time) is at most `maxAgeS` old. Otherwise 401 with the RFC 9470
 * step-up challenge, so the app signs the customer in again and retries.
 */
export function requireRecentSignIn(request: FastifyRequest, maxAgeS: number, nowMs = Date.now()): string {
  const customerId = requireCustomer(request);
  const authTimeS = request.principal?.authTimeS;
  if (authTimeS === undefined || nowMs / 1000 - authTimeS > maxAgeS) {
    throw unauthorized(
      'recent_sign_in_required',
      `This change needs a sign-in from the last ${Math.round(maxAgeS / 60)} minutes. Sign in again, then retry.`,
      {
        headers: {
          'www-authenticate': `${realm}, error="insufficient_user_authentication", error_description="a more recent sign-in is required", max_age=${maxAgeS}, ${dpopRealm}`,
        },
      },
    );
  }
  return customerId;
}

/** Route guard: the caller is a back-office operator client. */
export function requireOperator(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (!principal) throw unauthenticated(request);
  if (principal.kind !== 'operator')
    throw forbidden('operator_only', 'This operation is reserved for back-office operators.');
  return principal;
}
