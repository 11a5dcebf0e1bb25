// SCAFFOLD (session 1): replaced by the identity module.
import type { FastifyInstance } from 'fastify';
import type { AppDependencies } from '../app.ts';
import type { ModuleRouteOptions } from '../module-types.ts';

export function createIdentityService(_deps: AppDependencies) {
  return {};
}
export async function identityRoutes(_app: FastifyInstance, _options: ModuleRouteOptions) {}
