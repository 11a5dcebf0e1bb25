import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import type { FastifyBaseLogger } from 'fastify';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { issuerOf, mobileClientId } from '../platform/auth.ts';
import type { Cache } from '../platform/cache.ts';
import type { Config } from '../platform/config.ts';
import { accessTokenTtlS, bodyLimitBytes, dpopNonceStepS, refreshRetryWindowMs } from '../platform/constants.ts';
import {
  createDpopNonces,
  type DpopProof,
  dpopNonceSecretOf,
  dpopReplayKeyOf,
  dpopReplayMemoryMs,
  verifyDpopProof,
} from '../platform/dpop.ts';
import { assert } from '../platform/errors.ts';
import type { KeyMaterial } from '../platform/keys.ts';
import type { IdentityService } from './service.ts';

/**
 * The retry window for refresh-token rotation (ADR 0135, RFC 9700 §4.14.2): a token-endpoint
 * middleware that makes the app's refresh idempotent for refreshRetryWindowMs, so an answer lost on
 * its way (a page reloaded mid-refresh, a mobile network dropping the response) no longer reads as
 * refresh-token reuse and ends the sign-in.
 *
 * - After oidc-provider rotated a refresh token of the app (grant_type=refresh_token, client
 *   nextgen-mobile, DPoP-bound), the answer it sent is remembered in the shared cache for the
 *   window: sealed with AES-256-GCM under a key derived (HKDF) from the spent refresh token, in a
 *   slot named by another derivation of it. Whoever reads the cache learns nothing usable without
 *   the spent token itself. Only the first answer is kept (set only when absent): one successor.
 * - Before oidc-provider sees a refresh, a remembered answer for the presented token is handed out
 *   again, without calling the library (whose reuse detection would revoke the grant), only when all
 *   of these hold: the same request parameters; a valid DPoP proof for this endpoint (platform
 *   verifier: signature, htm, htu, iat, a current nonce) by the key the answer's tokens are bound
 *   to; an origin the app's CORS allows; the successor refresh token still unused and live (its
 *   sign-in session too), its grant present, not revoked, and its customer active; and a proof never
 *   seen before (oidc-provider's replay store, which also holds the lost request's proof, and the
 *   platform's jti marker, which is atomic). A seen proof is refused (invalid_grant); anything else
 *   that does not hold goes to oidc-provider as it did before this middleware, which refuses it
 *   as it always did (another key, a revoked grant) or revokes the grant (reuse after the window or
 *   after the successor was used).
 * - Fails closed: a cache that cannot be read, written or that lost the answer (flushed, restarted)
 *   means no replay, never an error; the request then meets oidc-provider exactly as before.
 * - A replay is not a new use of the sign-in: sessions are not touched again (recordSessions sees
 *   no oidc context and skips it), no audit event. Logs name no token, slot or hash of either.
 *
 * To read the body before oidc-provider does (it must read the raw stream itself: issues 49 and
 * 965), the middleware reads it and puts the bytes back (`unshift`), so the library parses exactly
 * what the client sent.
 */
export interface RefreshRetryOptions {
  readonly cache: Cache;
  readonly config: Pick<Config, 'publicUrl'>;
  readonly keys: Pick<KeyMaterial, 'cookieSecrets'>;
  readonly identity: Pick<IdentityService, 'isCustomerActive' | 'isGrantRevoked'>;
  /** The app's CORS policy at the token endpoint (clientBasedCORS), so a replay answers the same origins. */
  readonly appOriginAllowed: (origin: string) => boolean;
  readonly log: FastifyBaseLogger;
}

// A replayed access token must still be good: the window is far shorter than its lifetime.
assert(refreshRetryWindowMs < accessTokenTtlS * 1000, 'the refresh retry window is shorter than an access token lives');

/** oidc-provider's token route (its default `routes.token`, under the /oidc mount). */
const tokenPath = '/token';
/** As long as oidc-provider remembers a proof's jti (CHALLENGE_OK_WINDOW): five nonce steps. */
const proofJtiMemoryS = 5 * dpopNonceStepS;
/** What CORS exposes on the token endpoint's answers (oidc-provider's clientWithDPoP policy). */
const exposedHeaders = 'DPoP-Nonce,WWW-Authenticate';

/** A refresh request of the app, as read from its body. */
interface RefreshRequest {
  readonly refreshToken: string;
  /** Every other parameter, in a canonical form: a repeat must ask for exactly the same. */
  readonly shape: string;
}

/** What is sealed for a spent refresh token. */
interface RememberedAnswer {
  /** The token response as oidc-provider first sent it; its refresh_token is the one successor. */
  readonly body: Record<string, unknown> & { readonly refresh_token: string };
  readonly accessTokenExpiresAtS: number;
  readonly rememberedUntilMs: number;
  readonly grantId: string;
  readonly accountId: string;
  /** The DPoP key (RFC 7638 thumbprint) every token in the answer is bound to. */
  readonly keyThumbprint: string;
  readonly shape: string;
}

// ---- The sealed store ---------------------------------------------------------------------------

const sealFormat = 'rr1';
const ivBytes = 12;
const tagBytes = 16;

/**
 * Two independent keys from the spent token (HKDF-SHA256, told apart by `info`): the slot's name and
 * the sealing key. A refresh token is 256 random bits, so it needs no salt and no server secret to
 * be unguessable; knowing the slot's name tells nothing of the sealing key.
 */
const derived = (refreshToken: string, purpose: 'slot' | 'seal') =>
  Buffer.from(hkdfSync('sha256', refreshToken, Buffer.alloc(0), `nextgen/refresh-retry/v1/${purpose}`, 32));

/** The cache key of a refresh token's remembered answer (exported for tests that flush it). */
export const refreshRetrySlotOf = (refreshToken: string) =>
  `refresh-retry:${derived(refreshToken, 'slot').toString('base64url')}`;

/** AES-256-GCM, the slot's name as additional data: a sealed answer moved to another slot fails to open. */
function seal(refreshToken: string, slot: string, answer: RememberedAnswer): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', derived(refreshToken, 'seal'), iv);
  cipher.setAAD(Buffer.from(slot));
  const sealed = Buffer.concat([
    iv,
    cipher.update(JSON.stringify(answer), 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${sealFormat}.${sealed.toString('base64url')}`;
}

/** The answer, or undefined for anything that does not open (another format, tampering, a bug). */
function unseal(refreshToken: string, slot: string, sealed: string): RememberedAnswer | undefined {
  if (!sealed.startsWith(`${sealFormat}.`)) return undefined;
  const bytes = Buffer.from(sealed.slice(sealFormat.length + 1), 'base64url');
  if (bytes.length < ivBytes + tagBytes) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', derived(refreshToken, 'seal'), bytes.subarray(0, ivBytes));
    decipher.setAAD(Buffer.from(slot));
    decipher.setAuthTag(bytes.subarray(-tagBytes));
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(ivBytes, -tagBytes)), decipher.final()]);
    return JSON.parse(plaintext.toString('utf8')) as RememberedAnswer;
  } catch {
    return undefined;
  }
}

// ---- Reading the request ------------------------------------------------------------------------

/**
 * Reads a body of `lengthBytes` and puts it back into the stream (Readable#unshift, made for
 * exactly this), so the next reader gets the same bytes. Undefined when the stream ends or fails
 * first (the client went away): its bytes cannot be given back then.
 */
function peekBody(request: IncomingMessage, lengthBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    const settle = (body: Buffer | undefined) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onEnd);
      request.off('close', onEnd);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      receivedBytes += chunk.length;
      if (receivedBytes < lengthBytes) return;
      // Inside the last 'data' event, so 'end' cannot have been emitted yet: unshift is allowed.
      request.pause();
      const body = Buffer.concat(chunks, receivedBytes);
      request.unshift(body);
      settle(body);
    };
    const onEnd = () => settle(undefined);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onEnd);
    request.on('close', onEnd);
  });
}

/** A form body's parameters, parsed as oidc-provider parses them; undefined if any repeats. */
function singleValued(body: Buffer): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseForm(body.toString('utf8')))) {
    if (typeof value !== 'string') return undefined;
    params[name] = value;
  }
  return params;
}

/**
 * The app's refresh request, 'unreadable' when its body broke off, undefined for every other
 * request (which this middleware leaves alone, body unread): only a DPoP-proven public-client form
 * POST to the token endpoint with a Content-Length within the body limit is read.
 */
async function refreshRequestOf(ctx: KoaContextWithOIDC): Promise<RefreshRequest | 'unreadable' | undefined> {
  if (ctx.method !== 'POST' || ctx.path !== tokenPath || !ctx.is('application/x-www-form-urlencoded')) return undefined;
  if (ctx.get('authorization') || !ctx.get('dpop')) return undefined;
  const charset = ctx.request.charset;
  if (charset && charset !== 'utf-8') return undefined;
  const lengthBytes = ctx.request.length;
  if (lengthBytes === undefined || lengthBytes === 0 || lengthBytes > bodyLimitBytes) return undefined;
  const body = await peekBody(ctx.req, lengthBytes);
  if (!body) return 'unreadable';
  const params = singleValued(body);
  if (params?.grant_type !== 'refresh_token' || params.client_id !== mobileClientId) return undefined;
  const { refresh_token: refreshToken, ...others } = params;
  if (!refreshToken) return undefined;
  const shape = JSON.stringify(Object.entries(others).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { refreshToken, shape };
}

// ---- The middleware -----------------------------------------------------------------------------

export function answerRefreshRetries(provider: Provider, options: RefreshRetryOptions) {
  const { cache, identity, log } = options;
  const nonces = createDpopNonces(dpopNonceSecretOf(options.keys));
  const tokenEndpoint = `${issuerOf(options.config)}${tokenPath}`;

  /** The remembered answer for this token, if one is in the cache, opens and is within the window. */
  async function recall(request: RefreshRequest, slot: string): Promise<RememberedAnswer | undefined> {
    let sealed: string | undefined;
    try {
      sealed = await cache.get(slot);
    } catch (error) {
      log.warn({ err: error }, 'refresh retry window: cache unavailable, the refresh goes on without it');
      return undefined;
    }
    const answer = sealed === undefined ? undefined : unseal(request.refreshToken, slot, sealed);
    return answer && answer.rememberedUntilMs > Date.now() ? answer : undefined;
  }

  /** A valid proof for this endpoint, or undefined (oidc-provider then answers the proof's problem). */
  async function proofOf(ctx: KoaContextWithOIDC): Promise<DpopProof | undefined> {
    const expected = {
      method: 'POST',
      url: tokenEndpoint,
      accessToken: undefined,
      nowS: Math.floor(Date.now() / 1000),
    };
    return verifyDpopProof(ctx.get('dpop'), expected, nonces).catch(() => undefined);
  }

  /**
   * The answer's grant is as alive as oidc-provider would need it for a refresh: the successor is
   * unused and unexpired (RefreshToken.find also checks its sign-in session), the grant exists and
   * is not revoked (sign-out, a signed-out device, reuse), the customer is active.
   */
  async function stillLive(answer: RememberedAnswer): Promise<boolean> {
    try {
      const [successor, grant] = await Promise.all([
        provider.RefreshToken.find(answer.body.refresh_token),
        provider.Grant.find(answer.grantId),
      ]);
      const successorLive =
        successor !== undefined &&
        !successor.consumed &&
        !successor.isExpired &&
        successor.clientId === mobileClientId &&
        successor.grantId === answer.grantId &&
        successor.accountId === answer.accountId &&
        successor.jkt === answer.keyThumbprint;
      const grantLive =
        grant !== undefined &&
        !grant.isExpired &&
        grant.clientId === mobileClientId &&
        grant.accountId === answer.accountId;
      if (!successorLive || !grantLive) return false;
      const [active, revoked] = await Promise.all([
        identity.isCustomerActive(answer.accountId),
        identity.isGrantRevoked(answer.grantId),
      ]);
      return active && !revoked;
    } catch (error) {
      log.warn(
        { err: error },
        'refresh retry window: could not check the grant, the refresh goes to the authorization server',
      );
      return false;
    }
  }

  /**
   * Whether this proof is seen for the first time: in the platform's jti markers (atomic, so two
   * copies of one request cannot both pass) and in oidc-provider's replay store (which saw the lost
   * request's proof). 'unknown' when either store failed.
   */
  async function proofUse(proof: DpopProof): Promise<'first' | 'seen' | 'unknown'> {
    try {
      if (!(await cache.setIfAbsent(dpopReplayKeyOf(proof), '1', dpopReplayMemoryMs))) return 'seen';
      const expiresAtS = Math.floor(Date.now() / 1000) + proofJtiMemoryS;
      return (await provider.ReplayDetection.unique(mobileClientId, proof.jti, expiresAtS)) ? 'first' : 'seen';
    } catch (error) {
      log.warn({ err: error }, 'refresh retry window: could not record the proof, the refresh goes on without it');
      return 'unknown';
    }
  }

  /** Hands the remembered answer out again, as oidc-provider sent it (expires_in counted down). */
  function replay(ctx: KoaContextWithOIDC, answer: RememberedAnswer, proof: DpopProof): void {
    tokenEndpointHeaders(ctx);
    if (proof.nonceAging) ctx.set('dpop-nonce', nonces.next());
    ctx.status = 200;
    ctx.body = {
      ...answer.body,
      expires_in: Math.max(0, answer.accessTokenExpiresAtS - Math.floor(Date.now() / 1000)),
    };
  }

  /** oidc-provider's headers on token answers; CORS only once the origin was checked (appOriginAllowed). */
  function tokenEndpointHeaders(ctx: KoaContextWithOIDC, originChecked = true): void {
    ctx.set('cache-control', 'no-store');
    ctx.vary('Origin');
    if (!originChecked) return;
    ctx.set('access-control-allow-origin', ctx.get('origin') || '*');
    ctx.set('access-control-expose-headers', exposedHeaders);
  }

  /** An OAuth error answer of the token endpoint's shape (RFC 6749 §5.2). */
  function refuse(ctx: KoaContextWithOIDC, error: string, description: string, originChecked = true): void {
    tokenEndpointHeaders(ctx, originChecked);
    ctx.status = 400;
    ctx.body = { error, error_description: description };
  }

  /**
   * Answers from the window when every condition holds; 'refused' for a proof seen before;
   * 'declined' when the request should meet oidc-provider as it would have without the window.
   */
  async function answerFromWindow(
    ctx: KoaContextWithOIDC,
    request: RefreshRequest,
    answer: RememberedAnswer,
  ): Promise<'answered' | 'refused' | 'declined'> {
    if (request.shape !== answer.shape) return 'declined';
    const origin = ctx.get('origin');
    if (origin && !options.appOriginAllowed(origin)) return 'declined';
    const proof = await proofOf(ctx);
    if (proof?.keyThumbprint !== answer.keyThumbprint) return 'declined';
    if (!(await stillLive(answer))) return 'declined';
    const use = await proofUse(proof);
    if (use === 'unknown') return 'declined';
    if (use === 'seen') {
      // As oidc-provider answers a replayed proof (before it looks at the token, so nothing is revoked).
      refuse(ctx, 'invalid_grant', 'DPoP proof JWT Replay detected');
      return 'refused';
    }
    replay(ctx, answer, proof);
    log.info('refresh retry window: a repeated refresh got the answer it lost');
    return 'answered';
  }

  /** After oidc-provider answered: remember a successful rotation of the app's refresh token. */
  async function remember(ctx: KoaContextWithOIDC, request: RefreshRequest, slot: string): Promise<void> {
    if (ctx.status !== 200 || ctx.oidc?.route !== 'token') return;
    const { RotatedRefreshToken: spent, RefreshToken: successor } = ctx.oidc.entities;
    const body = ctx.body as Record<string, unknown> | undefined;
    const expiresInS = body?.expires_in;
    if (!spent || !successor?.jkt || !successor.grantId || typeof expiresInS !== 'number') return;
    if (typeof body?.refresh_token !== 'string' || typeof body.access_token !== 'string') return;
    // The library parsed the same bytes; it must have read the same token and client.
    if (ctx.oidc.params?.refresh_token !== request.refreshToken || ctx.oidc.client?.clientId !== mobileClientId) return;
    const nowMs = Date.now();
    const answer: RememberedAnswer = {
      body: { ...body, refresh_token: body.refresh_token },
      accessTokenExpiresAtS: Math.floor(nowMs / 1000) + expiresInS,
      rememberedUntilMs: nowMs + refreshRetryWindowMs,
      grantId: successor.grantId,
      accountId: successor.accountId,
      keyThumbprint: successor.jkt,
      shape: request.shape,
    };
    try {
      await cache.setIfAbsent(slot, seal(request.refreshToken, slot, answer), refreshRetryWindowMs);
    } catch (error) {
      // The customer still gets these tokens; only a retry of this refresh would not.
      log.warn({ err: error }, 'refresh retry window: could not remember a refresh answer');
    }
  }

  return async function refreshRetryWindow(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    const request = await refreshRequestOf(ctx);
    if (request === 'unreadable') {
      refuse(ctx, 'invalid_request', 'failed to parse the request body', false);
      return;
    }
    if (!request) return next();
    const slot = refreshRetrySlotOf(request.refreshToken);
    const answer = await recall(request, slot);
    if (answer && (await answerFromWindow(ctx, request, answer)) !== 'declined') return;
    await next();
    await remember(ctx, request, slot);
  };
}
