import type { ServerResponse } from 'node:http';
import middie from '@fastify/middie';
import type { FastifyInstance } from 'fastify';
import type { AuditService } from '../audit/index.ts';
import { auditOperatorSignIns, type BackofficeService } from '../backoffice/index.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { createAuthorizationServer, type ProviderRequest, publicRequestOf } from './authorization-server.ts';
import { customerRoutes } from './customer-routes.ts';
import { interactionRoutes } from './interaction-routes.ts';
import type { PasskeyService } from './passkeys.ts';
import { passkeyRoutes } from './passkeys-routes.ts';
import type { IdentityService } from './service.ts';
import type { SessionsService } from './sessions.ts';
import { sessionsRoutes } from './sessions-routes.ts';
import type { StepUpService } from './step-up.ts';

export { identityApprovalExecutors } from './approval-executors.ts';
export { customerStatusBackofficeRoutes } from './backoffice-routes.ts';
export { Customer, missingCustomer } from './customer-routes.ts';
export {
  type CustomerStatusAction,
  type CustomerStatusService,
  createCustomerStatusService,
} from './customer-status.ts';
/**
 * Identity: customers (registration, profile), passkeys and step-up approvals, the OAuth 2.0
 * authorization server under /oidc and its hosted login page under /interaction. Other modules use
 * the services' functions.
 */
export { createPasskeyService, type PasskeyAssertion, type PasskeyService } from './passkeys.ts';
export { StepUpBody, StepUpProofSchema } from './passkeys-schemas.ts';
export { holderNameCiphertextSql } from './repository.ts';
export { type CustomerProfile, type CustomerStatus, createIdentityService, type IdentityService } from './service.ts';
export { createSessionsService, type SessionsService } from './sessions.ts';
export {
  createStepUpService,
  type StepUpBinding,
  type StepUpChallenge,
  type StepUpPurpose,
  type StepUpService,
  stepUpRequired,
} from './step-up.ts';

/**
 * What app.ts hands these routes. KYC's verified name is named by shape: compliance imports identity,
 * so identity names no compliance type (no cycle between the modules).
 */
type Options = RouteOptions<{
  readonly identity: IdentityService;
  readonly sessions: SessionsService;
  readonly passkeys: PasskeyService;
  readonly stepUp: StepUpService;
  readonly audit: AuditService;
  readonly backoffice: BackofficeService;
  readonly kyc: { readonly verifiedName: (customerId: string) => Promise<string | undefined> };
}>;

export async function identityRoutes(app: FastifyInstance, options: Options) {
  const identity = options.services.identity;
  const provider = createAuthorizationServer(
    options.deps,
    identity,
    app.log,
    {
      findClient: options.services.backoffice.operators.clientMetadata,
    },
    options.services.sessions,
  );
  auditOperatorSignIns(provider, options.services.audit, (error) =>
    app.log.warn({ err: error }, 'could not audit an operator sign-in'),
  );

  // oidc-provider is a Koa application. It runs as middleware in onRequest, before any Fastify body
  // parser, because it reads request bodies itself (oidc-provider issues 49 and 965). No Fastify
  // route exists under /oidc, so requests reach this scope's not-found handler, whose onRequest
  // hooks (middie's) hand them to the provider; the handler itself only runs if the provider
  // passed the request on, which it never does.
  await app.register(
    async (oidc) => {
      await oidc.register(middie);
      const handle = provider.callback();
      const pinned = publicRequestOf(options.deps.config);
      oidc.use('/', (request: ProviderRequest, response: ServerResponse) => handle(pinned(request), response));
      oidc.setNotFoundHandler((request, reply) => {
        request.log.error('the authorization server did not answer');
        return reply.code(404).send();
      });
    },
    { prefix: '/oidc' },
  );
  await app.register(interactionRoutes, {
    provider,
    identity,
    passkeys: options.services.passkeys,
    audit: options.services.audit,
    config: options.deps.config,
  });
  await app.register(customerRoutes, {
    prefix: '/api/v1',
    identity,
    cache: options.deps.cache,
    verifiedName: options.services.kyc.verifiedName,
  });
  await app.register(sessionsRoutes, { prefix: '/api/v1', sessions: options.services.sessions });
  await app.register(passkeyRoutes, {
    prefix: '/api/v1',
    passkeys: options.services.passkeys,
    stepUp: options.services.stepUp,
  });
}
