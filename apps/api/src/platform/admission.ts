import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type IdentifiedCaller, identifyCaller, inactiveCustomer, revokedToken, type TokenVerifier } from './auth.ts';
import type { AdmissionCacheAnswer, Cache } from './cache.ts';
import { rateLimitWindowMs } from './constants.ts';
import { type DpopNonces, dpopReplayKeyOf, dpopReplayMemoryMs, invalidDpopProof } from './dpop.ts';
import type { DomainError } from './errors.ts';
import { applyRateLimit, rateLimitKeyOf } from './rate-limit.ts';

/**
 * Security state that its owning module keeps in PostgreSQL (the source of truth, ADR 0065) and
 * whose answers it caches in the shared cache: a grant's revocation, a customer's status. Admission
 * reads the cached answer in its one cache call; on a miss it asks the owner.
 */
export interface CachedSecurityState {
  /** The cache key holding the answer for this grant or customer. */
  keyOf(id: string): string;
  /** The one cached value that admits; any other cached value refuses. */
  readonly admits: string;
  /** A cache miss: the owner reads PostgreSQL (and caches its answer); true admits. Throws (503) when it cannot tell. */
  admitsOnMiss(id: string): Promise<boolean>;
}

/**
 * Admission, once per request before routing: who is calling (the access token and its DPoP proof,
 * verified) and may they call now. The rate-limit count, the grant's revocation state, the
 * customer's status and the proof's jti replay marker are one cache call (one Redis script, ADR
 * 0090): the jti is stored only when that call finds the request admitted (ADR 0065). A cache miss
 * on a state asks PostgreSQL, then stores the jti in a second call.
 */
export interface AdmissionOptions {
  readonly verifier: TokenVerifier;
  readonly nonces: DpopNonces;
  /** PUBLIC_URL: proofs' htu must name it (auth.ts). */
  readonly publicUrl: string;
  readonly cache: Cache;
  readonly limitPerMinute: number;
  /** Revocation of the grant a token was issued under (its `gid`); checked on every request with one. */
  readonly grantState: CachedSecurityState;
  /**
   * The customer may still use their tokens (not locked, closed or erased): checked on every
   * request with a customer token, so a status change stops tokens before they expire.
   */
  readonly customerStatus: CachedSecurityState;
}

interface StateCheck {
  readonly state: CachedSecurityState;
  readonly id: string;
  readonly refusal: () => DomainError;
}

function stateChecksOf(options: AdmissionOptions, caller: IdentifiedCaller | undefined): StateCheck[] {
  const checks: StateCheck[] = [];
  const grantId = caller?.token.grantId;
  if (grantId !== undefined) checks.push({ state: options.grantState, id: grantId, refusal: revokedToken });
  const principal = caller?.token.principal;
  if (principal?.kind === 'customer') {
    checks.push({ state: options.customerStatus, id: principal.subject, refusal: inactiveCustomer });
  }
  return checks;
}

/** The first refusal among the states, in order (revocation before status); cache misses ask their owner. */
async function refusalOf(checks: StateCheck[], answer: AdmissionCacheAnswer): Promise<DomainError | undefined> {
  const admitted = await Promise.all(
    checks.map((check, i) => {
      const cached = answer.states[i];
      return cached === undefined ? check.state.admitsOnMiss(check.id) : cached === check.state.admits;
    }),
  );
  const refused = admitted.indexOf(false);
  return refused === -1 ? undefined : checks[refused]?.refusal();
}

async function admit(options: AdmissionOptions, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const caller = await identifyCaller(options, request);
  const proof = caller?.proof;
  const checks = stateChecksOf(options, caller);
  const rateKey = rateLimitKeyOf(request);
  const jtiKey = proof ? dpopReplayKeyOf(proof) : undefined;
  const answer = await options.cache.admit({
    rateKey,
    windowMs: rateLimitWindowMs,
    limit: options.limitPerMinute,
    states: checks.map((check) => ({ key: check.state.keyOf(check.id), admits: check.state.admits })),
    jti: jtiKey === undefined ? undefined : { key: jtiKey, ttlMs: dpopReplayMemoryMs },
  });
  // A request the rate limit refuses (429 thrown here) stored nothing for its proof.
  if (rateKey !== undefined) applyRateLimit(options.limitPerMinute, answer.count, answer.resetMs, reply);
  const refusal = await refusalOf(checks, answer);
  // The jti is stored only once the request is admitted (issue 12, defect 1): the script stored it
  // when every state was cached and admitting; after a miss it is stored here.
  const firstUse =
    refusal !== undefined || jtiKey === undefined
      ? true
      : (answer.jtiStored ?? (await options.cache.setIfAbsent(jtiKey, '1', dpopReplayMemoryMs)));
  if (refusal !== undefined || !firstUse) {
    request.principal = undefined;
    request.authFailure = refusal ?? invalidDpopProof('was used before (jti)');
  } else if (proof?.nonceAging) {
    // RFC 9449 §8.2: hand out the next nonce before the one in use expires.
    reply.header('dpop-nonce', options.nonces.next());
  }
}

export const admissionPlugin = fp(
  async (app: FastifyInstance, options: AdmissionOptions) => {
    app.decorateRequest('principal', undefined);
    app.decorateRequest('authFailure', undefined);
    app.addHook('onRequest', async (request, reply) => admit(options, request, reply));
  },
  { name: 'admission' },
);
