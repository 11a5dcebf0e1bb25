import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { identifyCaller, inactiveCustomer, revokedToken, type TokenVerifier } from './auth.ts';
import type { Cache } from './cache.ts';
import { type DpopNonces, dpopReplayKeyOf, dpopReplayMemoryMs, invalidDpopProof } from './dpop.ts';
import { countRequest } from './rate-limit.ts';

/**
 * Admission, once per request before routing: who is calling (the access token and its DPoP proof,
 * verified) and may they call now (the rate limit). The grant-revocation check, the customer's
 * status and the rate-limit count go to the shared cache in the same tick (one Redis round trip,
 * ADR 0004); the proof's jti replay check (SET NX) follows only for an admitted request (ADR 0065).
 */
export interface AdmissionOptions {
  readonly verifier: TokenVerifier;
  readonly nonces: DpopNonces;
  /** PUBLIC_URL: proofs' htu must name it (auth.ts). */
  readonly publicUrl: string;
  readonly cache: Cache;
  readonly limitPerMinute: number;
  /**
   * True when the customer may still use their tokens (not locked, closed or erased): checked on
   * every request with a customer token, so a status change stops tokens before they expire.
   */
  readonly isCustomerAdmitted: (customerId: string) => Promise<boolean>;
}

export const admissionPlugin = fp(
  async (app: FastifyInstance, options: AdmissionOptions) => {
    app.decorateRequest('principal', undefined);
    app.decorateRequest('authFailure', undefined);
    app.addHook('onRequest', async (request, reply) => {
      const caller = await identifyCaller(options, request);
      const proof = caller?.proof;
      const principal = caller?.token.principal;
      // A request the rate limit refuses (429 thrown here) stores nothing for its proof.
      const [revoked, , active] = await Promise.all([
        caller ? options.verifier.isRevoked(caller.token) : false,
        countRequest(options.cache, options.limitPerMinute, request, reply),
        principal?.kind === 'customer' ? options.isCustomerAdmitted(principal.subject) : true,
      ]);
      // The proof's jti is stored only once the request is admitted: refused requests cannot fill
      // the cache with replay markers (issue 12, defect 1).
      const firstUse =
        revoked || !active || !proof
          ? true
          : await options.cache.setIfAbsent(dpopReplayKeyOf(proof), '1', dpopReplayMemoryMs);
      if (revoked || !active || !firstUse) {
        request.principal = undefined;
        request.authFailure = revoked
          ? revokedToken()
          : !active
            ? inactiveCustomer()
            : invalidDpopProof('was used before (jti)');
      } else if (proof?.nonceAging) {
        // RFC 9449 §8.2: hand out the next nonce before the one in use expires.
        reply.header('dpop-nonce', options.nonces.next());
      }
    });
  },
  { name: 'admission' },
);
