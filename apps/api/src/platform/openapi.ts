import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from './config.ts';

/**
 * The OpenAPI 3.1 document is generated from the same route schemas that validate requests, so it
 * cannot drift from the code. Served at /openapi.json, browsable at /docs.
 */
export const openApiPlugin = fp(
  async (app: FastifyInstance, options: { config: Config }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'NextGen Banking API',
          version: '1.0.0',
          description:
            'Retail banking API: accounts, transfers and transaction history. Amounts are decimal strings with an ISO 4217 currency; errors are RFC 9457 problem+json with a stable `code`.',
        },
        servers: [{ url: options.config.publicUrl }],
        components: {
          securitySchemes: {
            oauth2: {
              type: 'oauth2',
              flows: {
                authorizationCode: {
                  authorizationUrl: `${options.config.publicUrl}/oidc/auth`,
                  tokenUrl: `${options.config.publicUrl}/oidc/token`,
                  scopes: { openid: 'Sign in', offline_access: 'Stay signed in (refresh tokens)' },
                },
              },
            },
          },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
