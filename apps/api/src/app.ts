import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  accountsApprovalExecutors,
  accountsBackofficeRoutes,
  accountsRoutes,
  createAccountsService,
} from './accounts/index.ts';
import { createAuditService } from './audit/index.ts';
import { backofficeRoutes, createBackofficeService } from './backoffice/index.ts';
import {
  complianceApprovalExecutors,
  createGdprService,
  createKycService,
  createLimitsService,
  gdprBackofficeRoutes,
  gdprRoutes,
  kycBackofficeRoutes,
  kycRoutes,
  limitsBackofficeRoutes,
  limitsRoutes,
  personalDataSections,
} from './compliance/index.ts';
import {
  createCustomerStatusService,
  createIdentityService,
  createPasskeyService,
  createSessionsService,
  createStepUpService,
  customerStatusBackofficeRoutes,
  holderNameCiphertextSql,
  identityApprovalExecutors,
  identityRoutes,
} from './identity/index.ts';
import { createInsightsService, insightsRoutes } from './insights/index.ts';
import { createLedgerService } from './ledger/index.ts';
import {
  createPayeesService,
  createPaymentsService,
  createTransferReviews,
  paymentsApprovalExecutors,
  paymentsBackofficeRoutes,
  paymentsRoutes,
} from './payments/index.ts';
import { admissionPlugin } from './platform/admission.ts';
import { appLinksRoutes } from './platform/app-links.ts';
import { createApprovalRegistry } from './platform/approvals.ts';
import { createTokenVerifier } from './platform/auth.ts';
import { bodyLimitBytes, pathParamLengthMax, requestIdLengthMax } from './platform/constants.ts';
import { createKeyManagement, createPersonalDataVault } from './platform/crypto/index.ts';
import type { AppDependencies } from './platform/dependencies.ts';
import { createDpopNonces, dpopNonceSecretOf } from './platform/dpop.ts';
import { DependencyUnavailable } from './platform/errors.ts';
import { healthRoutes } from './platform/health.ts';
import { httpSecurityPlugin, serverOptions } from './platform/http-security.ts';
import { assertJsonDepth } from './platform/json-body.ts';
import { logSerializers, redactedPaths } from './platform/logging.ts';
import { openApiPlugin } from './platform/openapi.ts';
import { clientErrorResponse, problemFromError, sendProblem } from './platform/problem.ts';
import { validatorCompiler } from './platform/validation.ts';
import { loadWebApp, registerWebApp, type WebAppFallback } from './platform/web-app.ts';
import { createRiskService } from './risk/index.ts';

// Kept here too for callers written before it moved to platform; modules import it from platform.
export type { AppDependencies };

export type Services = ReturnType<typeof createServices>;

/** Modules talk to each other only through these services. */
export function createServices(deps: AppDependencies) {
  // First: every other module may record audit events through it.
  const audit = createAuditService(deps);
  // Personal data is encrypted under per-customer keys; modules encrypt and decrypt through it.
  const vault = createPersonalDataVault({ db: deps.db, kms: createKeyManagement(deps.config) });
  const identity = createIdentityService(deps, { vault, audit });
  // Signed-in sessions and devices of the app: list, sign out, new-device alerts.
  const sessions = createSessionsService(deps, { markGrantRevoked: identity.markGrantRevoked, audit });
  // Passkeys sign customers in and approve sensitive actions (step-up with dynamic linking).
  const passkeys = createPasskeyService(deps, { identity, audit });
  const stepUp = createStepUpService(deps, { passkeys, audit });
  const ledger = createLedgerService(deps);
  // Spending, budgets, recurring payments, forecasts and insights; it categorises the history lines accounts shows.
  const insights = createInsightsService(deps);
  const accounts = createAccountsService(deps, {
    ledger,
    categories: insights.categoriseHistory,
    holderNames: identity.holderNames,
    // The party lookup carries the holders' names in its one query, through identity's door.
    holders: { nameCiphertextSql: holderNameCiphertextSql('a.customer_id'), namesOf: identity.holderNamesOf },
  });
  // KYC onboarding and the limits every payment is checked against before it posts.
  const kyc = createKycService(deps, { vault, audit, identity });
  const limits = createLimitsService(deps, { audit });
  // Fraud scoring of every transfer before it posts (ADR 0130); RISK_SCORING=off allows all (benchmarks).
  const risk = deps.config.riskScoring ? createRiskService(deps) : undefined;
  const payments = createPaymentsService(deps, {
    ledger,
    accounts,
    stepUp,
    limits,
    audit,
    risk: risk?.check,
    reviews: risk,
  });
  // The fraud review queue of held transfers (ADR 0131): approving posts the hold, rejecting voids it.
  const transferReviews = createTransferReviews(deps, { ledger, accounts, limits, audit, reviews: risk });
  const payees = createPayeesService(deps, { vault, kyc, accounts, audit });
  // GDPR export composes every module's part; erasure destroys the customer's data key.
  const gdpr = createGdprService(deps, {
    identity,
    accounts,
    audit,
    sessions,
    sections: { ...personalDataSections({ passkeys, kyc, payees, sessions }), insights: insights.personalData },
    erasers: [insights.erasePersonalData],
  });
  // The bank locks, unlocks and closes customers (ADR 0105); closing needs every account closed.
  const customerStatus = createCustomerStatusService({
    identity,
    sessions,
    openAccountCount: accounts.openAccountCount,
  });
  // Four-eyes: each module registers the executors of the actions it owns (ADR 0072).
  const approvalExecutors = createApprovalRegistry();
  approvalExecutors.register(identityApprovalExecutors(customerStatus));
  approvalExecutors.register(paymentsApprovalExecutors(payments));
  approvalExecutors.register(accountsApprovalExecutors(accounts));
  approvalExecutors.register(complianceApprovalExecutors({ limits, kyc, gdpr }));
  approvalExecutors.assertComplete();
  // Operators, roles and four-eyes approvals; approved actions run through the executors above.
  const backoffice = createBackofficeService(deps, { audit, approvalExecutors });
  return {
    audit,
    vault,
    identity,
    sessions,
    customerStatus,
    passkeys,
    stepUp,
    ledger,
    accounts,
    insights,
    kyc,
    limits,
    risk,
    payments,
    transferReviews,
    payees,
    backoffice,
    gdpr,
  };
}

const requestIdPattern = new RegExp(`^[A-Za-z0-9-]{8,${requestIdLengthMax}}$`);
const traceparentPattern = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export interface BuildOptions {
  /** Where log lines go; standard output when absent. Tests capture them to prove redaction. */
  readonly logStream?: { write(line: string): void };
}

/** The methods a 405 names in its Allow header when the path exists under another one. */
const routedMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export async function buildApp(
  deps: AppDependencies,
  services = createServices(deps),
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const { config, db, cache, keys } = deps;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: logSerializers,
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    ...serverOptions(config),
    bodyLimit: bodyLimitBytes,
    // Fastify accepts a hop count too (documented), but its type definitions omit numbers.
    trustProxy: config.trustProxy as boolean | string,
    // Requests keep the caller's trace id (W3C traceparent or X-Request-Id) so logs join up across hops.
    genReqId: (request) => {
      const traceparent = traceparentPattern.exec(String(request.headers.traceparent ?? ''));
      if (traceparent?.[1]) return traceparent[1];
      const given = String(request.headers['x-request-id'] ?? '');
      return requestIdPattern.test(given) ? given : randomUUID();
    },
    // Draining answers 503 problem+json from the onRequest hook below, not Fastify's own JSON.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: pathParamLengthMax, ignoreTrailingSlash: true },
    // Bad percent-encoding and over-long path parameters are refused before routing; without this
    // Fastify answers them with its own JSON instead of problem+json (found by test/fuzz.test.ts).
    frameworkErrors: (error, _request, reply) => {
      const { problem, headers } = problemFromError(error);
      return sendProblem(reply, problem, headers);
    },
    // Requests Node's parser refuses (a head over 16 KiB, a timeout, bad syntax) never become a
    // Fastify request: answer them problem+json on the socket itself.
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.write(clientErrorResponse(error, randomUUID()));
      socket.destroy(error);
    },
  });
  app.setValidatorCompiler(validatorCompiler);

  // JSON only, depth-checked before parsing; text/plain and other media types answer 415.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    try {
      assertJsonDepth(text);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parseJson(request, text, done);
  });

  app.setErrorHandler((error, request, reply) => {
    const { problem, headers, unexpected } = problemFromError(error);
    if (unexpected) request.log.error({ err: error }, 'unexpected error');
    else if (error instanceof DependencyUnavailable)
      request.log.warn({ err: error.cause }, `${error.dependencyName} unavailable`);
    return sendProblem(reply, problem, headers);
  });
  // The web app's routes (platform/web-app.ts) are registered after the API's; its fallback is set then.
  let webAppFallback: WebAppFallback | undefined;
  app.setNotFoundHandler((request, reply) => {
    const served = webAppFallback?.(request, reply);
    if (served) return served;
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routedMethods.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      return sendProblem(
        reply,
        {
          title: 'Method not allowed',
          status: 405,
          code: 'method_not_allowed',
          detail: `${path} does not answer ${request.method}; it answers ${allowed.join(', ')}. Check the method against /docs.`,
        },
        { allow: allowed.join(', ') },
      );
    }
    return sendProblem(reply, {
      title: 'Not found',
      status: 404,
      code: 'route_not_found',
      detail: `There is no ${request.method} ${path} endpoint. Check the path against /docs.`,
    });
  });
  // Ready once the fraud model has loaded; without it transfers are scored by the rules alone (ADR 0130).
  // Then the artifact is polled, and a changed valid one switched in without a restart (ADR 0132).
  let stopModelRefresh: (() => void) | undefined;
  app.addHook('onReady', async () => {
    const model = await services.risk?.model;
    if (model?.kind === 'rules-only') app.log.warn({ problem: model.problem }, 'fraud model unavailable: rules only');
    const categoriser = await services.insights.model;
    if (categoriser.kind === 'unavailable')
      app.log.warn({ problem: categoriser.problem }, 'categoriser unavailable: uncorrected lines are "other"');
    stopModelRefresh = services.risk?.startModelRefresh((refresh) => {
      if (refresh.outcome === 'switched') app.log.info({ from: refresh.from, to: refresh.to }, 'fraud model switched');
      else app.log.warn({ problem: refresh.problem, scoring: refresh.current }, 'fraud model not switched');
    });
  });
  app.addHook('onClose', async () => {
    stopModelRefresh?.();
  });
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    return sendProblem(
      reply,
      {
        title: 'Service unavailable',
        status: 503,
        code: 'shutting_down',
        detail: 'This server is shutting down. Try again in a moment.',
      },
      { 'retry-after': '1' },
    );
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
  });

  await app.register(httpSecurityPlugin, { config });
  await app.register(openApiPlugin, { config });
  await app.register(admissionPlugin, {
    verifier: createTokenVerifier(config, keys, { isGrantRevoked: services.identity.isGrantRevoked }),
    nonces: createDpopNonces(dpopNonceSecretOf(keys)),
    publicUrl: config.publicUrl,
    cache,
    limitPerMinute: config.rateLimitPerMinute,
    ...services.identity.admissionStates,
  });
  await app.register(healthRoutes, { db, cache, queryWaitMaxMs: config.readinessQueryWaitMaxMs });
  await app.register(identityRoutes, { deps, services });
  await app.register(accountsRoutes, { prefix: '/api/v1', deps, services });
  await app.register(paymentsRoutes, { prefix: '/api/v1', deps, services });
  await app.register(insightsRoutes, { prefix: '/api/v1', deps, services });
  await app.register(backofficeRoutes, { prefix: '/backoffice/v1', deps, services });
  await app.register(paymentsBackofficeRoutes, { prefix: '/backoffice/v1', deps, services });
  await app.register(accountsBackofficeRoutes, { prefix: '/backoffice/v1', deps, services });
  await app.register(kycRoutes, { prefix: '/api/v1', deps, services });
  await app.register(limitsRoutes, { prefix: '/api/v1', deps, services });
  await app.register(kycBackofficeRoutes, { prefix: '/backoffice/v1', deps, services });
  await app.register(limitsBackofficeRoutes, { prefix: '/backoffice/v1', deps, services });
  await app.register(gdprRoutes, { prefix: '/api/v1', deps, services });
  await app.register(gdprBackofficeRoutes, { prefix: '/backoffice/v1', deps, services });
  await app.register(customerStatusBackofficeRoutes, { prefix: '/backoffice/v1', deps, services });
  await app.register(appLinksRoutes, { appLinks: config.appLinks });
  webAppFallback = await registerWebApp(
    app,
    loadWebApp(config.webAppDir, { https: config.publicUrl.startsWith('https:') }),
  );
  return app;
}
