import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { identifyCaller, revokedToken, type TokenVerifier } from './auth.ts';
import type { Cache } from './cache.ts';
import { countRequest } from './rate-limit.ts';

/**
 * Admission, once per request before routing: who is calling (the bearer token, verified) and may
 * they call now (the rate limit). The grant-revocation check and the rate-limit count both go to
 * the shared cache; issued in the same tick they travel in one Redis write and one round trip.
 */
export interface AdmissionOptions {
  readonly verifier: TokenVerifier;
  readonly cache: Cache;
  readonly limitPerMinute: number;
}

export const admissionPlugin = fp(
  async (app: FastifyInstance, options: AdmissionOptions) => {
    app.decorateRequest('principal', undefined);
    app.decorateRequest('authFailure', undefined);
    app.addHook('onRequest', async (request, reply) => {
      const verified = await identifyCaller(options.verifier, request);
      const [revoked] = await Promise.all([
        verified ? options.verifier.isRevoked(verified) : false,
        countRequest(options.cache, options.limitPerMinute, request, reply),
      ]);
      if (revoked) {
        request.principal = undefined;
        request.authFailure = revokedToken();
      }
    });
  },
  { name: 'admission' },
);
