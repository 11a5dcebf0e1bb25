import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireCustomer, requireRecentSignIn } from '../platform/auth.ts';
import { passkeysPerCustomerMax, recentSignInMaxAgeS } from '../platform/constants.ts';
import {
  apiProblems,
  bodyProblems,
  IdParams,
  NoQuery,
  Page,
  problemResponses,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { PasskeyAssertion, PasskeyAttestation, PasskeyService } from './passkeys.ts';
import {
  PasskeyAttestationSchema,
  PasskeyCreationOptionsSchema,
  PasskeyName,
  PasskeySchema,
  StepUpBody,
} from './passkeys-schemas.ts';
import { type StepUpChallenge, type StepUpService, stepUpRequired } from './step-up.ts';

/**
 * /api/v1/passkeys: the signed-in customer's passkeys. Registering is two calls, as WebAuthn is:
 * options (navigator.credentials.create's input) and then the device's answer. Another customer's
 * passkey ids answer 404, exactly as ids that do not exist.
 */
const security = [{ oauth2: [] }];

const RegisterBody = Type.Object(
  {
    credential: PasskeyAttestationSchema,
    name: Type.Optional(PasskeyName),
  },
  { additionalProperties: false },
);

const RenameBody = Type.Object({ name: PasskeyName }, { additionalProperties: false });

/** What revoking answers (as Stripe's deletions do): the id and the fact, so a retry can tell it happened. */
const RevokedPasskey = Type.Object(
  { id: PasskeySchema.properties.id, revoked: Type.Literal(true) },
  { additionalProperties: false },
);

const addPasskeyApprovalRequired = (challenge: StepUpChallenge) =>
  stepUpRequired(
    'Adding a passkey needs your approval with one you already have: sign `stepUp.publicKey` (navigator.credentials.get), then call again with `stepUp: { challengeId, assertion }` in the body.',
    challenge,
  );

/**
 * Strong authentication before a new authenticator is enrolled (ADR 0013): a customer holding
 * passkeys approves with one of them (purpose `add_passkey`, bound to the customer); the first
 * passkey needs a recent sign-in. A stolen access token alone therefore cannot add the thief's
 * passkey and, through it, approve payments.
 */
function enrolmentGuard(stepUp: Pick<StepUpService, 'issueChallenge' | 'verifyAssertion'>, request: FastifyRequest) {
  const proof = (request.body as { stepUp?: { challengeId: string; assertion: PasskeyAssertion } } | null)?.stepUp;
  return async (activePasskeys: number) => {
    if (activePasskeys === 0) {
      requireRecentSignIn(request, recentSignInMaxAgeS);
      return;
    }
    const customerId = requireCustomer(request);
    const binding = { customerId };
    if (!proof)
      throw addPasskeyApprovalRequired(await stepUp.issueChallenge({ customerId, purpose: 'add_passkey', binding }));
    await stepUp.verifyAssertion({ customerId, purpose: 'add_passkey', binding, ...proof });
  };
}

export async function passkeyRoutes(
  app: TypeBoxApp,
  options: { passkeys: PasskeyService; stepUp: Pick<StepUpService, 'issueChallenge' | 'verifyAssertion'> },
) {
  const { passkeys, stepUp } = options;

  app.post(
    '/passkeys/registration-options',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Start adding a passkey: options for navigator.credentials.create()',
        description: `Answers WebAuthn creation options (user verification and a discoverable credential required). Pass them to the platform passkey API and send its answer to POST /api/v1/passkeys within 5 minutes. Only the latest options can be completed. A customer holds at most ${passkeysPerCustomerMax} passkeys (409 \`passkey_limit_reached\`). When you already hold a passkey, the first call answers 403 \`step_up_required\` with a challenge in \`stepUp\`: approve it with an existing passkey and call again with \`{ "stepUp": { "challengeId", "assertion" } }\`. Your first passkey needs a sign-in from the last ${recentSignInMaxAgeS / 60} minutes (401 \`recent_sign_in_required\` otherwise). Every new passkey is notified to you.`,
        security,
        querystring: NoQuery,
        body: StepUpBody,
        response: {
          200: PasskeyCreationOptionsSchema,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409),
        },
      },
    },
    async (request) => passkeys.registrationOptions(requireCustomer(request), enrolmentGuard(stepUp, request)),
  );

  app.post(
    '/passkeys',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Finish adding a passkey with the device’s answer',
        description:
          'Verifies the attestation against the latest registration options (origin, RP id, user verification). Refused: `passkey_registration_expired` (no live options), `passkey_invalid` (verification failed), 409 `passkey_exists` or `passkey_limit_reached`.',
        security,
        querystring: NoQuery,
        body: RegisterBody,
        response: {
          201: PasskeySchema,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 409),
        },
      },
    },
    async (request, reply) => {
      const passkey = await passkeys.registerPasskey(requireCustomer(request), {
        credential: request.body.credential as PasskeyAttestation,
        name: request.body.name,
      });
      return reply.code(201).header('location', `/api/v1/passkeys/${passkey.id}`).send(passkey);
    },
  );

  app.get(
    '/passkeys',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Your passkeys, newest first',
        description: `All of them in one page (a customer holds at most ${passkeysPerCustomerMax}); revoked passkeys are not listed.`,
        security,
        querystring: NoQuery,
        response: { 200: Page(PasskeySchema), ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => ({ data: await passkeys.listPasskeys(requireCustomer(request)), nextCursor: null }),
  );

  app.patch(
    '/passkeys/:id',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Rename a passkey',
        security,
        params: IdParams('passkey'),
        querystring: NoQuery,
        body: RenameBody,
        response: {
          200: PasskeySchema,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404),
        },
      },
    },
    async (request) => passkeys.renamePasskey(requireCustomer(request), request.params.id, request.body.name),
  );

  app.delete(
    '/passkeys/:id',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Revoke a passkey: it can no longer sign in or approve anything',
        description: `Needs a sign-in from the last ${recentSignInMaxAgeS / 60} minutes (401 \`recent_sign_in_required\` otherwise). Revoking your last passkey returns sign-in to password only and makes approvals (large payments, revealing account numbers) impossible until you add one.`,
        security,
        params: IdParams('passkey'),
        querystring: NoQuery,
        response: {
          200: RevokedPasskey,
          ...problemResponses(...apiProblems, ...signedInProblems, 404),
        },
      },
    },
    async (request) => {
      await passkeys.revokePasskey(requireRecentSignIn(request, recentSignInMaxAgeS), request.params.id);
      return { id: request.params.id, revoked: true as const };
    },
  );
}
