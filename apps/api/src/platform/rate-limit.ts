import type { FastifyReply, FastifyRequest } from 'fastify';
import { rateLimitWindowMs } from './constants.ts';
import { tooManyRequests } from './errors.ts';

/**
 * Fixed-window rate limit per caller: the signed-in customer or operator when the token verified,
 * the client IP otherwise. Counters live in the shared cache so every pod sees the same count; the
 * count itself is taken in admission's one cache call (admission.ts, ADR 0090).
 * Headers follow draft-ietf-httpapi-ratelimit-headers (RateLimit-Policy / RateLimit), plus the
 * widely used RateLimit-Limit/-Remaining/-Reset trio.
 */
const windowMs = rateLimitWindowMs;
const exemptPaths = new Set(['/healthz', '/readyz']);

/** The cache key of the caller's counter; undefined for the health paths, which are not counted. */
export function rateLimitKeyOf(request: FastifyRequest): string | undefined {
  if (exemptPaths.has(request.routeOptions.url ?? '')) return undefined;
  const principal = request.principal;
  return principal ? `rl:${principal.kind}:${principal.subject}` : `rl:ip:${request.ip}`;
}

/** Sets the rate-limit headers for a counted request; throws 429 past the limit. */
export function applyRateLimit(limitPerMinute: number, count: number, resetMs: number, reply: FastifyReply): void {
  const remaining = Math.max(0, limitPerMinute - count);
  const resetS = Math.max(1, Math.ceil(resetMs / 1000));
  const headers = {
    'ratelimit-policy': `"default";q=${limitPerMinute};w=${windowMs / 1000}`,
    ratelimit: `"default";r=${remaining};t=${resetS}`,
    'ratelimit-limit': String(limitPerMinute),
    'ratelimit-remaining': String(remaining),
    'ratelimit-reset': String(resetS),
  };
  reply.headers(headers);
  if (count > limitPerMinute) {
    throw tooManyRequests(
      `You have sent more than ${limitPerMinute} requests in a minute. Wait ${resetS} seconds and try again.`,
      resetS,
      headers,
    );
  }
}
