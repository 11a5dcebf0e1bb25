import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { Type } from 'typebox';
import { bodyLimitBytes, emailLengthMax, passwordInputLengthMax } from '../platform/constants.ts';
import { bodyProblems, Problem, printableTextPattern, problemResponses, type TypeBoxApp } from '../platform/schemas.ts';
import { expiredPage, loginPage, loginTexts, messagePage, pageHeaders, throttledPage } from './login-pages.ts';
import type { IdentityService } from './service.ts';

/**
 * The hosted login page the authorization server sends the browser to (`interactions.url`).
 * GET shows the sign-in form; POST …/login checks the credentials; POST …/abort cancels. The consent
 * prompt that follows a sign-in is granted automatically: every registered client is the bank's own.
 *
 * Forgery: the page only works with the interaction cookie the authorization server set for this
 * uid (SameSite=Lax, signed, scoped to /interaction/<uid>), so a form posted from another site
 * finds no interaction and changes nothing. Form bodies are parsed in this plugin only; the rest of
 * the API accepts JSON alone.
 */
type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

const UidParams = Type.Object(
  { uid: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) },
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

export async function interactionRoutes(app: TypeBoxApp, options: { provider: Provider; identity: IdentityService }) {
  const { provider, identity } = options;
  await app.register(formbody, { bodyLimit: bodyLimitBytes });

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
          401: html('Wrong e-mail or password (the same answer for both)'),
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
        return sendPage(reply, 401, loginPage({ uid: interaction.uid, email, alert: loginTexts.rejected }));
      }
      const result = { login: { accountId: outcome.customerId } };
      return redirectTo(
        reply,
        await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false }),
      );
    },
  );

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
