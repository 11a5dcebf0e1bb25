import { Type } from 'typebox';
import type { Cache } from './cache.ts';
import type { Database } from './database.ts';
import { NoQuery, problemResponses, type TypeBoxApp } from './schemas.ts';

const Status = Type.Object({ status: Type.String() });

/**
 * Liveness says the process runs; readiness says it can serve (database and cache answer). Both are
 * exempt from the rate limit (platform/rate-limit.ts), so probes never see a 429.
 */
export async function healthRoutes(app: TypeBoxApp, options: { db: Database; cache: Cache }) {
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
        summary: 'Readiness: the database and the cache answer',
        querystring: NoQuery,
        response: { 200: Status, ...problemResponses(400, 500, 503) },
      },
    },
    async () => {
      await Promise.all([options.db.ping(), options.cache.ping()]);
      return { status: 'ready' };
    },
  );
}
