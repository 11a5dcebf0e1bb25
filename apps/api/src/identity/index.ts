import middie from '@fastify/middie';
import type { FastifyInstance } from 'fastify';
import type { ModuleRouteOptions } from '../module-types.ts';
import { createAuthorizationServer } from './authorization-server.ts';
import { customerRoutes } from './customer-routes.ts';
import { interactionRoutes } from './interaction-routes.ts';

/**
 * Identity: customers (registration, profile), the OAuth 2.0 authorization server under /oidc and
 * its hosted login page under /interaction. Other modules use `createIdentityService`'s functions.
 */
export { createIdentityService, type IdentityService } from './service.ts';

export async function identityRoutes(app: FastifyInstance, options: ModuleRouteOptions) {
  const identity = options.services.identity;
  const provider = createAuthorizationServer(options.deps, identity, app.log);

  // oidc-provider is a Koa application. It runs as middleware in onRequest, before any Fastify body
  // parser, because it reads request bodies itself (oidc-provider issues 49 and 965). No Fastify
  // route exists under /oidc, so requests reach this scope's not-found handler, whose onRequest
  // hooks (middie's) hand them to the provider; the handler itself only runs if the provider
  // passed the request on, which it never does.
  await app.register(
    async (oidc) => {
      await oidc.register(middie);
      oidc.use('/', provider.callback());
      oidc.setNotFoundHandler((request, reply) => {
        request.log.error('the authorization server did not answer');
        return reply.code(404).send();
      });
    },
    { prefix: '/oidc' },
  );
  await app.register(interactionRoutes, { provider, identity });
  await app.register(customerRoutes, { prefix: '/api/v1', identity });
}
