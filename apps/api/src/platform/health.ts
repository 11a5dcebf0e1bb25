import type { FastifyInstance } from 'fastify';
import type { Cache } from './cache.ts';
import type { Database } from './database.ts';

/** Liveness says the process runs; readiness says it can serve (database and cache answer). */
export async function healthRoutes(app: FastifyInstance, options: { db: Database; cache: Cache }) {
  const statusSchema = {
    type: 'object',
    properties: { status: { type: 'string' } },
    required: ['status'],
  } as const;
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness: the process is running', response: { 200: statusSchema } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database and the cache answer',
        response: { 200: statusSchema },
      },
    },
    async () => {
      await Promise.all([options.db.ping(), options.cache.ping()]);
      return { status: 'ready' };
    },
  );
}
