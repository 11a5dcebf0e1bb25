// SCAFFOLD (session 1): replaced by the demo data module.
import type { FastifyBaseLogger } from 'fastify';
import type { AppDependencies } from '../app.ts';

export async function seedIfEmpty(_deps: AppDependencies, _log: FastifyBaseLogger): Promise<void> {}
