import { Type } from 'typebox';
import type { Cache } from './cache.ts';
import type { Database } from './database.ts';
import { DependencyUnavailable } from './errors.ts';
import { NoQuery, problemResponses, type TypeBoxApp } from './schemas.ts';

const Status = Type.Object({ status: Type.String() });

/** Rejects with DependencyUnavailable when `check` has not answered within `boundMs`. */
async function within(check: Promise<void>, boundMs: number, dependency: 'database' | 'cache'): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DependencyUnavailable(dependency, new Error(`no answer within ${boundMs} ms`))),
      boundMs,
    );
  });
  try {
    await Promise.race([check, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness says the process runs; readiness says it can serve (database and cache answer, and no
 * database call has waited past `queryWaitMaxMs`: a wedged database turns readiness red while
 * liveness stays green). Both are exempt from the rate limit (platform/rate-limit.ts), so probes
 * never see a 429.
 */
export async function healthRoutes(app: TypeBoxApp, options: { db: Database; cache: Cache; queryWaitMaxMs: number }) {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is running',
        querystring: NoQuery,
        response: { 200: Status, ...problemResponses(400, 500, 503) },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database and the cache answer, and no database call is stuck',
        querystring: NoQuery,
        response: { 200: Status, ...problemResponses(400, 500, 503) },
      },
    },
    async () => {
      const waitedMs = options.db.oldestWaitMs();
      if (waitedMs > options.queryWaitMaxMs) {
        throw new DependencyUnavailable('database', new Error(`a database call has waited ${Math.round(waitedMs)} ms`));
      }
      // A ping that would queue behind the wedge answers red within the bound instead of hanging the probe.
      await Promise.all([
        within(options.db.ping(), options.queryWaitMaxMs, 'database'),
        within(options.cache.ping(), options.queryWaitMaxMs, 'cache'),
      ]);
      return { status: 'ready' };
    },
  );
}
