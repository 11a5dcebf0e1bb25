import { Type } from 'typebox';
import { requireCustomer, requireRecentSignIn } from '../platform/auth.ts';
import { pageLimitDefault, recentSignInMaxAgeS, sessionsPageLimitMax } from '../platform/constants.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import {
  apiProblems,
  IdParams,
  NoQuery,
  Page,
  problemResponses,
  signedInProblems,
  Timestamp,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { SessionsService } from './sessions.ts';

/** /api/v1/sessions: the customer's signed-in devices, and signing one of them out. */
const Session = Type.Object(
  {
    id: Type.String({ pattern: idSchemaPattern('session'), example: 'ses_01jf8x3m5n6p7q8r9s0t1v2w3x' }),
    deviceName: Type.String({
      description: "From the app's User-Agent at sign-in",
      example: 'NextGen/2.4 (iPhone; iOS 18.1)',
    }),
    network: Type.String({
      description: 'Coarse network of the last use (IPv4 /24, IPv6 /48)',
      example: '203.0.113.0/24',
    }),
    createdAt: Timestamp,
    lastUsedAt: {
      ...Timestamp,
      description: 'Sign-in or the last token refresh (every 10 minutes while the app is in use)',
    },
    current: Type.Boolean({ description: 'The session this request is made from' }),
  },
  { additionalProperties: false },
);

const EndedSession = Type.Object(
  {
    id: Type.String({ pattern: idSchemaPattern('session'), example: 'ses_01jf8x3m5n6p7q8r9s0t1v2w3x' }),
    endedAt: Timestamp,
  },
  { additionalProperties: false },
);

const SessionsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: sessionsPageLimitMax, default: pageLimitDefault })),
    cursor: Type.Optional(
      Type.String({ pattern: idSchemaPattern('session'), description: 'nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);

const security = [{ oauth2: [] }];

export async function sessionsRoutes(app: TypeBoxApp, options: { sessions: SessionsService }) {
  const { sessions } = options;

  app.get(
    '/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Your signed-in devices',
        description:
          'Every open sign-in of your account, newest first: device name, coarse network, when it signed in and was last used. `current` marks the one you call from.',
        security,
        querystring: SessionsQuery,
        response: { 200: Page(Session), ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => {
      const customerId = requireCustomer(request);
      return sessions.listSessions(customerId, {
        limit: request.query.limit ?? pageLimitDefault,
        cursor: request.query.cursor,
        currentGrantId: request.principal?.grantId,
      });
    },
  );

  app.delete(
    '/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Sign a device out',
        description:
          "Ends the session: its refresh token stops at once and its access tokens are refused from the next request. Ending the current session signs this device out. Ending another one needs a sign-in from the last 5 minutes (401 `recent_sign_in_required` otherwise). Another customer's or an ended session answers 404.",
        security,
        params: IdParams('session'),
        querystring: NoQuery,
        response: {
          200: EndedSession,
          ...problemResponses(...apiProblems, ...signedInProblems, 404),
        },
      },
    },
    async (request) =>
      sessions.endSession(requireCustomer(request), request.params.id, {
        currentGrantId: request.principal?.grantId,
        authorizeEndingAnother: () => requireRecentSignIn(request, recentSignInMaxAgeS),
      }),
  );
}
