import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { Type } from 'typebox';
import type { AuditService } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import {
  bodyLimitBytes,
  emailLengthMax,
  loginInteractionUidLengthMax,
  passwordInputLengthMax,
} from '../platform/constants.ts';
import { badRequest, tooManyRequests, unauthorized } from '../platform/errors.ts';
import { customerSignInRefused } from '../platform/problems.ts';
import {
  bodyProblems,
  NoBody,
  Problem,
  printableTextPattern,
  problemResponses,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import { type ProviderRequest, publicRequestOf } from './authorization-server.ts';
import {
  expiredPage,
  loginPage,
  loginTexts,
  messagePage,
  pageHeaders,
  passkeyPage,
  throttledPage,
} from './login-pages.ts';
import type { PasskeyAssertion, PasskeyService } from './passkeys.ts';
import { PasskeyAssertionSchema, PasskeyRequestOptionsSchema } from './passkeys-schemas.ts';
import type { IdentityService } from './service.ts';

/**
 * The hosted login page the authorization server sends the browser to (`interactions.url`).
 * GET shows the sign-in form; POST …/login checks the credentials; POST …/abort cancels. The consent
 * prompt that follows a sign-in is granted automatically: every registered client is the bank's own.
 *
 * Passkeys (ADR 0013): a customer who has one must also pass the passkey step after a correct
 * password (303 to GET …/passkey); anyone may sign in with a passkey alone from the same page. The
 * page's script, or a native client without a browser, calls POST …/passkey/options (WebAuthn
 * request options) and POST …/passkey with the assertion, which answers `{ redirectTo }`. `amr` in
 * the ID token says how: ['pwd', 'hwk', 'user'] for password and passkey, ['hwk', 'user'] for a
 * passkey alone (RFC 8176: a hardware-bound key, unlocked by user verification).
 *
 * Forgery: the page only works with the interaction cookie the authorization server set for this
 * uid (SameSite=Lax, signed, scoped to /interaction/<uid>), so a form posted from another site
 * finds no interaction and changes nothing. Form bodies are parsed in this plugin only; the rest of
 * the API accepts JSON alone.
 */
type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

const UidParams = Type.Object(
  { uid: Type.String({ pattern: `^[A-Za-z0-9_-]{1,${loginInteractionUidLengthMax}}$` }) },
  { additionalProperties: false },
);

const LoginForm = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: emailLengthMax, pattern: printableTextPattern }),
    password: Type.String({ minLength: 1, maxLength: passwordInputLengthMax }),
  },
  { additionalProperties: false },
);

const htmlPage = { 'text/html': { schema: Type.String() } };
const html = (description: string) => ({ description, content: htmlPage });
/** A status answered with a page, or with problem+json when the request is refused before any page applies. */
const htmlOrProblem = (description: string) => ({
  description,
  content: { ...htmlPage, 'application/problem+json': { schema: Problem } },
});
const redirect = Type.Null({ description: 'Back to the authorization server (see the Location header)' });
const expiredOrMalformed = htmlOrProblem(
  'The sign-in page expired or was already used (a page), or the request is malformed (problem+json)',
);
/** What any page can answer besides itself: too many requests, our fault, a dependency down. */
const pageProblems = [429, 500, 503] as const;

function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(pageHeaders).send(body);
}

function redirectTo(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
}

/** The interaction this browser holds a cookie for, if it is the one in the URL and still live. */
async function loadInteraction(
  provider: Provider,
  uid: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Interaction | undefined> {
  try {
    const interaction = await provider.interactionDetails(request.raw, reply.raw);
    return interaction.uid === uid ? interaction : undefined;
  } catch (error) {
    // Missing or expired cookie or interaction: the library's own error types, never a server fault.
    if (error instanceof Error && error.name === 'SessionNotFound') return undefined;
    throw error;
  }
}

/** Grants a first-party client what it asked for: the prompt lists exactly what is missing. */
async function consentResult(provider: Provider, interaction: Interaction): Promise<InteractionResults> {
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant =
    existing ??
    new provider.Grant({ accountId: interaction.session?.accountId, clientId: String(interaction.params.client_id) });
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  return { consent: existing ? {} : { grantId } };
}

/** Refused sign-ins are audited; who tried is unknown until a factor succeeds. */
type SignInAudit = Pick<AuditService, 'recordNow'>;
const signInActor = { kind: 'system', id: 'sign-in' } as const;

/** A locked or closed customer who passed every factor: the bank sees they tried (and how). */
const auditRefusedInactive = (
  audit: SignInAudit,
  outcome: { customerId: string; status: 'locked' | 'closed' },
  factor: 'password' | 'passkey',
) =>
  audit.recordNow({
    action: 'customer.sign_in_refused',
    actor: { kind: 'customer', id: outcome.customerId },
    subject: { kind: 'customer', id: outcome.customerId },
    details: { factor, customerStatus: outcome.status },
  });

export async function interactionRoutes(
  app: TypeBoxApp,
  options: {
    provider: Provider;
    identity: IdentityService;
    passkeys: PasskeyService;
    audit: SignInAudit;
    config: Pick<Config, 'publicUrl'>;
  },
) {
  const { provider, identity, passkeys, audit } = options;
  await app.register(formbody, { bodyLimit: bodyLimitBytes });
  // The provider reads these requests too (interactionDetails, interactionResult): pin them to
  // PUBLIC_URL and the client address Fastify resolved, as for /oidc (authorization-server.ts).
  const pinned = publicRequestOf(options.config);
  app.addHook('onRequest', async (request) => {
    const raw: ProviderRequest = request.raw;
    raw.ip = request.ip;
    pinned(raw);
  });

  app.get(
    '/interaction/:uid',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Hosted sign-in page',
        params: UidParams,
        response: {
          200: html('The sign-in page'),
          303: redirect,
          400: expiredOrMalformed,
          ...problemResponses(...pageProblems),
        },
      },
    },
    async (request, reply) => {
      const interaction = await loadInteraction(provider, request.params.uid, request, reply);
      if (!interaction) return sendPage(reply, 400, expiredPage());
      if (interaction.prompt.name === 'login') {
        const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
        return sendPage(reply, 200, loginPage({ uid: interaction.uid, email: hint }));
      }
      if (interaction.prompt.name === 'consent') {
        const result = await consentResult(provider, interaction);
        return redirectTo(reply, await provider.interactionResult(request.raw, reply.raw, result));
      }
      return sendPage(reply, 400, messagePage(loginTexts.expiredTitle, loginTexts.expired));
    },
  );

  app.post(
    '/interaction/:uid/login',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Sign in with e-mail and password (application/x-www-form-urlencoded)',
        consumes: ['application/x-www-form-urlencoded'],
        params: UidParams,
        body: LoginForm,
        response: {
          200: html('The sign-in page'),
          303: redirect,
          400: expiredOrMalformed,
          401: html('Wrong e-mail or password (the same answer for both, and for an unknown e-mail)'),
          403: html(
            'The password was right but the customer is locked or closed by the bank: contact the bank (shown only after every factor the customer holds)',
          ),
          429: htmlOrProblem('Too many attempts; try again later (see Retry-After)'),
          ...problemResponses(...bodyProblems, 500, 503),
        },
      },
    },
    async (request, reply) => {
      const interaction = await loadInteraction(provider, request.params.uid, request, reply);
      if (interaction?.prompt.name !== 'login') return sendPage(reply, 400, expiredPage());
      const { email, password } = request.body;
      const outcome = await identity.signIn({ email, password, ip: request.ip });
      if (outcome.kind === 'throttled') {
        reply.header('retry-after', String(outcome.retryAfterS));
        return sendPage(reply, 429, throttledPage(outcome.retryAfterS));
      }
      if (outcome.kind === 'rejected') {
        // No email in the audit record (personal data); the throttle keeps the per-address counts.
        await audit.recordNow({
          action: 'customer.sign_in_failed',
          actor: signInActor,
          details: { factor: 'password' },
        });
        return sendPage(reply, 401, loginPage({ uid: interaction.uid, email, alert: loginTexts.rejected }));
      }
      // A customer with a passkey passes it before learning anything (also when locked or closed).
      if (await passkeys.hasActivePasskey(outcome.customerId)) {
        await passkeys.rememberPasswordStep(interaction.uid, outcome.customerId);
        return redirectTo(reply, `/interaction/${encodeURIComponent(interaction.uid)}/passkey`);
      }
      if (outcome.kind === 'inactive') {
        await auditRefusedInactive(audit, outcome, 'password');
        const alert = customerSignInRefused(outcome.status).message;
        return sendPage(reply, 403, loginPage({ uid: interaction.uid, email, alert }));
      }
      // The completed sign-in is audited once, when the app exchanges the code (sessions.recordSignIn).
      const result = { login: { accountId: outcome.customerId, amr: ['pwd'] } };
      return redirectTo(
        reply,
        await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false }),
      );
    },
  );

  await passkeyStepRoutes(app, { provider, passkeys, audit });

  app.post(
    '/interaction/:uid/abort',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Cancel signing in',
        params: UidParams,
        response: { 303: redirect, 400: expiredOrMalformed, ...problemResponses(...pageProblems, ...bodyProblems) },
      },
    },
    async (request, reply) => {
      const interaction = await loadInteraction(provider, request.params.uid, request, reply);
      if (!interaction) return sendPage(reply, 400, expiredPage());
      const result = { error: 'access_denied', error_description: 'The customer cancelled signing in' };
      return redirectTo(
        reply,
        await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false }),
      );
    },
  );
}

const signInExpired = () =>
  badRequest(
    'sign_in_expired',
    'This sign-in page has expired. Go back to the NextGen app and start signing in again.',
  );

const PasskeyBody = Type.Object({ credential: PasskeyAssertionSchema }, { additionalProperties: false });
const RedirectTo = Type.Object(
  { redirectTo: Type.String({ description: 'Where the browser goes next (back to the authorization server)' }) },
  { additionalProperties: false },
);

/** The passkey step of the hosted sign-in: its page and the two JSON endpoints it (or an app) calls. */
async function passkeyStepRoutes(
  app: TypeBoxApp,
  options: { provider: Provider; passkeys: PasskeyService; audit: SignInAudit },
) {
  const { provider, passkeys, audit } = options;

  app.get(
    '/interaction/:uid/passkey',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Passkey step: after a correct password, or to sign in with a passkey alone',
        params: UidParams,
        response: { 200: html('The passkey page'), 400: expiredOrMalformed, ...problemResponses(...pageProblems) },
      },
    },
    async (request, reply) => {
      const interaction = await loadInteraction(provider, request.params.uid, request, reply);
      if (interaction?.prompt.name !== 'login') return sendPage(reply, 400, expiredPage());
      const secondFactor = (await passkeys.passwordStepOf(interaction.uid)) !== undefined;
      return sendPage(reply, 200, passkeyPage({ uid: interaction.uid, secondFactor }));
    },
  );

  app.post(
    '/interaction/:uid/passkey/options',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'WebAuthn request options for the passkey step (single-use, 5 minutes)',
        description:
          'After a correct password, `allowCredentials` lists that customer’s passkeys; otherwise it is empty and any discoverable passkey may answer. Newer options replace older ones.',
        params: UidParams,
        body: NoBody,
        response: {
          200: PasskeyRequestOptionsSchema,
          ...problemResponses(400, 429, 500, 503, ...bodyProblems),
        },
      },
    },
    async (request, reply) => {
      const interaction = await loadInteraction(provider, request.params.uid, request, reply);
      if (interaction?.prompt.name !== 'login') throw signInExpired();
      return passkeys.signInOptions(interaction.uid, await passkeys.passwordStepOf(interaction.uid));
    },
  );

  app.post(
    '/interaction/:uid/passkey',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Finish signing in with a passkey assertion',
        description:
          'Answers `{ redirectTo }`: go there to continue. Refused: 400 `sign_in_expired` (page or options expired or already used; ask for new options), 401 `passkey_rejected`, 403 `customer_inactive` (the passkey was right but the bank locked or closed the customer: contact the bank), 429 after too many failures.',
        params: UidParams,
        body: PasskeyBody,
        response: {
          200: RedirectTo,
          ...problemResponses(400, 401, 403, 429, 500, 503, ...bodyProblems),
        },
      },
    },
    async (request, reply) => {
      const interaction = await loadInteraction(provider, request.params.uid, request, reply);
      if (interaction?.prompt.name !== 'login') throw signInExpired();
      const passwordCustomerId = await passkeys.passwordStepOf(interaction.uid);
      const outcome = await passkeys.signIn({
        interactionId: interaction.uid,
        assertion: request.body.credential as PasskeyAssertion,
        ip: request.ip,
        customerId: passwordCustomerId,
      });
      if (outcome.kind === 'expired') throw signInExpired();
      if (outcome.kind === 'throttled') {
        throw tooManyRequests(
          `${loginTexts.throttled} Try again in ${Math.max(1, Math.ceil(outcome.retryAfterS / 60))} minutes.`,
          outcome.retryAfterS,
        );
      }
      if (outcome.kind === 'rejected') {
        await audit.recordNow({
          action: 'customer.sign_in_failed',
          actor: passwordCustomerId ? { kind: 'customer', id: passwordCustomerId } : signInActor,
          details: { factor: 'passkey' },
        });
        throw unauthorized('passkey_rejected', loginTexts.passkeyFailed);
      }
      if (outcome.kind === 'inactive') {
        await auditRefusedInactive(audit, outcome, 'passkey');
        throw customerSignInRefused(outcome.status);
      }
      // The completed sign-in is audited once, when the app exchanges the code (sessions.recordSignIn).
      const amr = passwordCustomerId ? ['pwd', 'hwk', 'user'] : ['hwk', 'user'];
      const result = { login: { accountId: outcome.customerId, amr } };
      const location = await provider.interactionResult(request.raw, reply.raw, result, {
        mergeWithLastSubmission: false,
      });
      return { redirectTo: location };
    },
  );
}
