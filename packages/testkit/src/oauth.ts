import { createHash, randomBytes } from 'node:crypto';
import { createDpopClient, type DpopClient } from './dpop.ts';

/**
 * OAuth login driver for tests, benchmarks and scripts: signs a customer in through the real flow,
 * as the mobile app does, against a listening server (base URL) or a Fastify app (inject):
 *
 *   POST /oidc/request (PAR, PKCE S256, DPoP proof) → GET /oidc/auth?request_uri=…
 *   → GET /interaction/:uid (login form) → POST /interaction/:uid/login → /oidc/auth/:uid
 *   → consent (automatic) → redirect_uri?code=…&iss=… → POST /oidc/token (DPoP proof)
 *
 * One driver is one device: its DPoP key binds every token it gets (RFC 9449), and it keeps the
 * server's latest DPoP nonce, retrying once when asked for a new one. Cookies are kept in a small
 * in-code jar per sign-in, as a browser would. Nothing is logged.
 */

/** A Fastify app or anything with the same `inject`. */
export interface InjectTarget {
  inject(options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }): PromiseLike<{ statusCode: number; headers: Record<string, unknown>; body: string }>;
}
/** A listening server's base URL (http://127.0.0.1:3000) or an app to inject into. */
export type OAuthTarget = string | InjectTarget;

export interface DriverResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly setCookies: readonly string[];
  readonly body: string;
}

export interface OAuthTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly idToken: string;
  readonly expiresIn: number;
  readonly scope: string;
}

export interface SignedInCustomer extends OAuthTokens {
  readonly customerId: string;
  /** The device key the tokens are bound to, and its nonce. */
  readonly dpop: DpopClient;
  /** The `iss` the authorization response carried (RFC 9207). */
  readonly issuer: string | null;
  /** Ends the sign-in session through the end-session endpoint, as the app's "Sign out" does. */
  logout(): Promise<void>;
  /** Calls the API with this sign-in's access token and a fresh DPoP proof. */
  api(method: string, path: string, options?: ApiCallOptions): Promise<DriverResponse>;
  /** Authorization and DPoP headers for one request (for load generators that send themselves). */
  headersFor(method: string, url: string): { authorization: string; dpop: string };
}

export interface ApiCallOptions {
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Another access token of the same device (e.g. after a refresh). */
  readonly accessToken?: string;
}

/** An OAuth or HTTP error answer, with the server's status and body for assertions. */
export class OAuthDriverError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(message: string, response: DriverResponse) {
    super(`${message}: HTTP ${response.status} ${response.body.slice(0, 300)}`);
    this.name = 'OAuthDriverError';
    this.status = response.status;
    this.body = response.body;
  }
  /** The OAuth `error` code of a JSON error body, if any. */
  get oauthError(): string | undefined {
    try {
      return (JSON.parse(this.body) as { error?: string }).error;
    } catch {
      return undefined;
    }
  }
}

export const defaultClientId = 'nextgen-mobile';
export const defaultRedirectUri = 'nextgen://oauth/callback';
const redirectsMax = 10;

type Send = (request: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}) => Promise<DriverResponse>;

function single(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
  return value === undefined ? undefined : String(value);
}

function transportFor(target: OAuthTarget): Send {
  if (typeof target === 'string') {
    const base = target.replace(/\/$/, '');
    return async ({ method, path, headers, body }) => {
      const response = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        setCookies: response.headers.getSetCookie(),
        body: await response.text(),
      };
    };
  }
  return async ({ method, path, headers, body }) => {
    const response = await target.inject({ method, url: path, headers, payload: body });
    const raw = response.headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
    const flat = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, single(value)]));
    return { status: response.statusCode, headers: flat, setCookies, body: response.body };
  };
}

/** Just enough of RFC 6265 for one server: name, value, path scope and deletion. */
class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();

  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attribute = (wanted: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${wanted}=`))?.slice(wanted.length + 1);
      const path = attribute('path') ?? '/';
      const expires = attribute('expires');
      const expired =
        attribute('max-age') === '0' || value === '' || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired) this.#cookies.delete(`${path}|${name}`);
      else this.#cookies.set(`${path}|${name}`, { name, value, path });
    }
  }

  headerFor(requestPath: string): string {
    const pathname = requestPath.split('?')[0] ?? '/';
    return [...this.#cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

/** Path and query of a same-server URL (the server writes absolute URLs with its own host). */
function pathOf(location: string): string {
  if (location.startsWith('/')) return location;
  const url = new URL(location);
  return `${url.pathname}${url.search}`;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function tokensFrom(response: DriverResponse, what: string): OAuthTokens {
  if (response.status !== 200) throw new OAuthDriverError(`${what} failed`, response);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  return {
    accessToken: String(body.access_token),
    refreshToken: String(body.refresh_token ?? ''),
    idToken: String(body.id_token ?? ''),
    expiresIn: Number(body.expires_in),
    scope: String(body.scope ?? ''),
  };
}

export interface DriverOptions {
  readonly clientId?: string;
  readonly redirectUri?: string;
  readonly scope?: string;
  /** The device (DPoP key and nonce); a new one per driver by default. */
  readonly dpop?: DpopClient;
  /** A User-Agent for every request (sessions show it as the device name). */
  readonly userAgent?: string;
}

/** One sign-in in progress: the login page is open, waiting for credentials. */
export interface SignInAttempt {
  /** The hosted login page's path, /interaction/<uid>, and the page itself as first served. */
  readonly loginPath: string;
  readonly loginPage: DriverResponse;
  /** Posts the form. `finish()` exchanges the code once a submission was accepted. */
  submit(email: string, password: string): Promise<DriverResponse>;
  /** Any request on the sign-in page's behalf, with its cookies (e.g. the passkey step's JSON endpoints). */
  request(request: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }): Promise<DriverResponse>;
  /** Continues from where the page sent the customer (a passkey step's `redirectTo`); `finish()` follows it. */
  continueAt(location: string): void;
  finish(): Promise<SignedInCustomer>;
  /**
   * Follows the accepted sign-in back to the app without exchanging the code: the redirect URL
   * (code, state, iss) and the PKCE verifier, for tests of the code exchange itself.
   */
  authorize(): Promise<{ callback: URL; codeVerifier: string }>;
  /** Presses "Cancel"; returns the URL the customer is sent back to the app with. */
  cancel(): Promise<URL>;
}

/**
 * The origin a proof's htu names: the server's PUBLIC_URL, read once from discovery (the issuer is
 * `${PUBLIC_URL}/oidc`), whatever address the driver reaches the server at.
 */
function publicOriginOf(send: Send): () => Promise<string> {
  let origin: Promise<string> | undefined;
  return () => {
    origin ??= send({ method: 'GET', path: '/oidc/.well-known/openid-configuration' }).then((response) => {
      const issuer = response.status === 200 ? (JSON.parse(response.body) as { issuer?: unknown }).issuer : undefined;
      if (typeof issuer !== 'string') throw new OAuthDriverError('discovery did not name the issuer', response);
      return issuer.replace(/\/oidc$/, '');
    });
    return origin;
  };
}

export function oauthDriver(target: OAuthTarget, options: DriverOptions = {}) {
  const transport = transportFor(target);
  const send: Send = options.userAgent
    ? (request) => transport({ ...request, headers: { 'user-agent': options.userAgent ?? '', ...request.headers } })
    : transport;
  const clientId = options.clientId ?? defaultClientId;
  const redirectUri = options.redirectUri ?? defaultRedirectUri;
  const scope = options.scope ?? 'openid offline_access';
  const dpop = options.dpop ?? createDpopClient();
  const publicOrigin = publicOriginOf(transport);

  /** Sends with a fresh DPoP proof; once more with the new nonce when the server asks for one. */
  async function sendWithProof(request: Parameters<Send>[0], accessToken?: string): Promise<DriverResponse> {
    const url = `${await publicOrigin()}${request.path}`;
    const attempt = () =>
      send({ ...request, headers: { ...request.headers, dpop: dpop.proofFor(request.method, url, accessToken) } });
    const first = await attempt();
    if (!dpop.wantsNonce(first.status, first.headers, first.body)) return first;
    const second = await attempt();
    dpop.learnNonce(second.headers);
    return second;
  }

  /** Follows redirects inside the server with the jar until the app's redirect URI (or a page). */
  async function follow(jar: CookieJar, first: DriverResponse): Promise<{ response: DriverResponse; callback?: URL }> {
    let response = first;
    for (let hop = 0; hop < redirectsMax; hop += 1) {
      const location = response.headers.location;
      if (response.status < 300 || response.status > 399 || !location) return { response };
      if (location.startsWith(redirectUri)) return { response, callback: new URL(location) };
      const path = pathOf(location);
      response = await send({ method: 'GET', path, headers: { cookie: jar.headerFor(path) } });
      jar.store(response.setCookies);
    }
    throw new OAuthDriverError('too many redirects', response);
  }

  /** A token endpoint request with a DPoP proof (omit it with `{ dpop: false }`). */
  async function tokenRequest(
    fields: Record<string, string>,
    headers: Record<string, string> = {},
    options: { dpop?: boolean } = {},
  ) {
    const request = {
      method: 'POST',
      path: '/oidc/token',
      headers: { ...formHeaders, ...headers },
      body: form(fields),
    };
    return options.dpop === false ? send(request) : sendWithProof(request);
  }

  /** POST /oidc/request (RFC 9126): the authorization request goes by back channel; returns its request_uri. */
  async function pushAuthorizationRequest(fields: Record<string, string>): Promise<string> {
    const response = await sendWithProof({
      method: 'POST',
      path: '/oidc/request',
      headers: formHeaders,
      body: form({ client_id: clientId, ...fields }),
    });
    const requestUri =
      response.status === 201 ? (JSON.parse(response.body) as { request_uri?: string }).request_uri : undefined;
    if (!requestUri) throw new OAuthDriverError('the pushed authorization request was refused', response);
    return requestUri;
  }

  async function callApi(
    session: { accessToken: string },
    method: string,
    path: string,
    call: ApiCallOptions = {},
  ): Promise<DriverResponse> {
    const accessToken = call.accessToken ?? session.accessToken;
    const json: Record<string, string> = call.body === undefined ? {} : { 'content-type': 'application/json' };
    return sendWithProof(
      {
        method,
        path,
        headers: { authorization: `DPoP ${accessToken}`, ...json, ...call.headers },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      },
      accessToken,
    );
  }

  async function logout(jar: CookieJar, idToken: string): Promise<void> {
    const startPath = `/oidc/session/end?${form({ client_id: clientId, id_token_hint: idToken })}`;
    const page = await send({ method: 'GET', path: startPath, headers: { cookie: jar.headerFor(startPath) } });
    jar.store(page.setCookies);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (page.status !== 200 || !xsrf) throw new OAuthDriverError('logout page did not load', page);
    const confirmPath = '/oidc/session/end/confirm';
    const confirmed = await send({
      method: 'POST',
      path: confirmPath,
      headers: { ...formHeaders, cookie: jar.headerFor(confirmPath) },
      body: form({ xsrf, logout: 'yes' }),
    });
    jar.store(confirmed.setCookies);
    if (confirmed.status !== 303) throw new OAuthDriverError('logout was not confirmed', confirmed);
  }

  async function beginSignIn(extraParams: Record<string, string> = {}): Promise<SignInAttempt> {
    const jar = new CookieJar();
    const codeVerifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const requestUri = await pushAuthorizationRequest({
      redirect_uri: redirectUri,
      response_type: 'code',
      scope,
      state,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      // OpenID Connect ignores offline_access (no refresh token) unless the request asks for consent.
      prompt: 'consent',
      ...extraParams,
    });
    const query = form({ client_id: clientId, request_uri: requestUri });
    const start = await send({ method: 'GET', path: `/oidc/auth?${query}` });
    jar.store(start.setCookies);
    const { response: loginPage } = await follow(jar, start);
    const loginPath =
      loginPage.status === 200 ? /action="(\/interaction\/[^/"]+)\/login"/.exec(loginPage.body)?.[1] : undefined;
    if (!loginPath) throw new OAuthDriverError('the login page did not open', loginPage);
    let accepted: DriverResponse | undefined;
    const authorize = async () => {
      if (!accepted) throw new Error('submit accepted credentials before authorize() or finish()');
      const { response, callback } = await follow(jar, accepted);
      if (!callback?.searchParams.get('code') || callback.searchParams.get('state') !== state) {
        throw new OAuthDriverError('no authorization code came back', response);
      }
      return { callback, codeVerifier };
    };

    return {
      loginPath,
      loginPage,
      async submit(email, password) {
        const path = `${loginPath}/login`;
        const response = await send({
          method: 'POST',
          path,
          headers: { ...formHeaders, cookie: jar.headerFor(path) },
          body: form({ email, password }),
        });
        jar.store(response.setCookies);
        if (response.status === 303) accepted = response;
        return response;
      },
      async request(request) {
        const response = await send({
          ...request,
          headers: { ...request.headers, cookie: jar.headerFor(request.path) },
        });
        jar.store(response.setCookies);
        return response;
      },
      continueAt(location) {
        accepted = { status: 303, headers: { location }, setCookies: [], body: '' };
      },
      authorize,
      async finish() {
        const { callback } = await authorize();
        const code = callback.searchParams.get('code') ?? '';
        const tokens = tokensFrom(
          await tokenRequest({
            grant_type: 'authorization_code',
            code,
            redirect_uri: redirectUri,
            client_id: clientId,
            code_verifier: codeVerifier,
          }),
          'code exchange',
        );
        const customerId = String(decodeJwtPayload(tokens.accessToken).sub);
        const session = {
          ...tokens,
          customerId,
          dpop,
          issuer: callback.searchParams.get('iss'),
          logout: () => logout(jar, tokens.idToken),
          api: (method: string, path: string, call?: ApiCallOptions) => callApi(session, method, path, call),
          headersFor: (method: string, url: string) => dpop.headersFor(method, url, tokens.accessToken),
        };
        return session;
      },
      async cancel() {
        const path = `${loginPath}/abort`;
        const response = await send({ method: 'POST', path, headers: { cookie: jar.headerFor(path) } });
        jar.store(response.setCookies);
        const { response: last, callback } = await follow(jar, response);
        if (!callback) throw new OAuthDriverError('cancelling did not return to the app', last);
        return callback;
      },
    };
  }

  return {
    /** POST /api/v1/customers; returns the created customer. */
    async registerCustomer(customer: { name: string; email: string; password: string }) {
      const response = await send({
        method: 'POST',
        path: '/api/v1/customers',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(customer),
      });
      if (response.status !== 201) throw new OAuthDriverError('registration failed', response);
      return JSON.parse(response.body) as { id: string; name: string; email: string; createdAt: string };
    },

    beginSignIn,
    pushAuthorizationRequest,
    /** This driver's device: its DPoP key and nonce. */
    dpop,
    /** Calls the API with an access token of this device and a fresh DPoP proof. */
    api: (accessToken: string, method: string, path: string, call?: ApiCallOptions) =>
      callApi({ accessToken }, method, path, call),

    /** The whole sign-in: login page, credentials, consent, code exchange. */
    async signIn(credentials: { email: string; password: string }): Promise<SignedInCustomer> {
      const attempt = await beginSignIn();
      const response = await attempt.submit(credentials.email, credentials.password);
      if (response.status !== 303) throw new OAuthDriverError('sign-in was refused', response);
      return attempt.finish();
    },

    /** grant_type=refresh_token; the answer carries a new refresh token (rotation). */
    async refresh(refreshToken: string): Promise<OAuthTokens> {
      return tokensFrom(
        await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
        'refresh',
      );
    },

    /** RFC 7009 revocation of a refresh token; revoking one revokes its whole grant. */
    async revoke(token: string): Promise<void> {
      const response = await send({
        method: 'POST',
        path: '/oidc/token/revocation',
        headers: formHeaders,
        body: form({ token, token_type_hint: 'refresh_token', client_id: clientId }),
      });
      if (response.status !== 200) throw new OAuthDriverError('revocation failed', response);
    },

    /** A raw token endpoint call, for tests of refused requests. */
    tokenRequest,
    send,
  };
}

/** Registers a new customer and signs them in on a new device; returns what calls the API as them. */
export async function signUpAndSignIn(
  target: OAuthTarget,
  customer: { name: string; email: string; password: string },
  options: DriverOptions = {},
): Promise<SignedInCustomer> {
  const driver = oauthDriver(target, options);
  await driver.registerCustomer(customer);
  return driver.signIn(customer);
}

/** An access token for the back-office client (client credentials, scope backoffice). */
export async function backofficeToken(target: OAuthTarget, clientSecret: string): Promise<string> {
  const basic = Buffer.from(`nextgen-backoffice:${encodeURIComponent(clientSecret)}`).toString('base64');
  const response = await oauthDriver(target).tokenRequest(
    { grant_type: 'client_credentials', scope: 'backoffice' },
    { authorization: `Basic ${basic}` },
    // Operator tokens stay bearer tokens (ADR 0015): no DPoP proof, so none is bound.
    { dpop: false },
  );
  return tokensFrom(response, 'client credentials').accessToken;
}

/** The OAuth `error` a refresh is refused with (e.g. invalid_grant), or undefined when it worked. */
export async function refreshErrorOf(
  driver: Pick<ReturnType<typeof oauthDriver>, 'refresh'>,
  refreshToken: string,
): Promise<string | undefined> {
  try {
    await driver.refresh(refreshToken);
  } catch (error) {
    if (error instanceof OAuthDriverError) return error.oauthError;
    throw error;
  }
  return undefined;
}
