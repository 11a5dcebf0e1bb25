import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from './cache.ts';
import { rateLimitWindowMs } from './constants.ts';
import { tooManyRequests } from './errors.ts';

/**
 * Fixed-window rate limit per caller: the signed-in customer or operator when the token verified,
 * the client IP otherwise. Counters live in the shared cache so every pod sees the same count.
 * Headers follow draft-ietf-httpapi-ratelimit-headers (RateLimit-Policy / RateLimit), plus the
 * widely used RateLimit-Limit/-Remaining/-Reset trio.
 */
const windowMs = rateLimitWindowMs;
const exemptPaths = new Set(['/healthz', '/readyz']);

function callerKey(request: FastifyRequest): string {
  const principal = request.principal;
  return principal ? `${principal.kind}:${principal.subject}` : `ip:${request.ip}`;
}

/** Counts the request against its caller's budget; throws 429 past the limit. */
export async function countRequest(cache: Cache, limitPerMinute: number, request: FastifyRequest, reply: FastifyReply) {
  if (exemptPaths.has(request.routeOptions.url ?? '')) return;
  const { count, resetMs } = await cache.increment(`rl:${callerKey(request)}`, windowMs);
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
