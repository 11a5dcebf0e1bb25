// SCAFFOLD (session 1): replaced by the accounts module.
import type { FastifyInstance } from 'fastify';
import type { AppDependencies } from '../app.ts';
import type { ModuleRouteOptions } from '../module-types.ts';

export function createAccountsService(_deps: AppDependencies, _modules: { ledger: unknown }) {
  return {};
}
export async function accountsRoutes(_app: FastifyInstance, _options: ModuleRouteOptions) {}
