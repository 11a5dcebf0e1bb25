// SCAFFOLD (session 1): replaced by the payments module.
import type { FastifyInstance } from 'fastify';
import type { AppDependencies } from '../app.ts';
import type { ModuleRouteOptions } from '../module-types.ts';

export function createPaymentsService(_deps: AppDependencies, _modules: { ledger: unknown; accounts: unknown }) {
  return {};
}
export async function paymentsRoutes(_app: FastifyInstance, _options: ModuleRouteOptions) {}
