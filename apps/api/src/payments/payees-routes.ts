import { Type } from 'typebox';
import { requireCustomer } from '../platform/auth.ts';
import { ibanInputLengthMax, pageLimitDefault, payeeNameLengthMax, referenceLengthMax } from '../platform/constants.ts';
import { decodeCursor } from '../platform/cursors.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import {
  apiProblems,
  bodyProblems,
  humanNamePattern,
  IdParams,
  NoQuery,
  Page,
  pageQueryProperties,
  printableTextPattern,
  problemResponses,
  StringEnum,
  signedInProblems,
  Timestamp,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import { parseIban } from './iban-input.ts';
import type { PayeesService } from './payees.ts';

const security = [{ oauth2: [] }];

const Confirmation = StringEnum(['match', 'close_match', 'no_match', 'not_checked'], {
  description:
    'Confirmation of payee when saved: the name you gave against the holder’s, for accounts in this bank; not_checked for other banks',
});

const payeeProperties = {
  id: Type.String({ example: 'pye_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  name: Type.String({ example: 'Jane Doe' }),
  maskedIban: Type.String({ example: 'DE** **** **** **** **30 00' }),
  reference: Type.String(),
  confirmation: Confirmation,
  createdAt: Timestamp,
};
const Payee = Type.Object(payeeProperties);
const CreatedPayee = Type.Object({
  ...payeeProperties,
  suggestedName: Type.Optional(
    Type.String({ description: 'On a close match only: the account holder’s name, to correct yours' }),
  ),
});

/** A name a person typed: printable, not blank at either end. */
const PayeeName = Type.String({
  minLength: 1,
  maxLength: payeeNameLengthMax,
  pattern: humanNamePattern,
});

const CreatePayeeBody = Type.Object(
  {
    name: PayeeName,
    iban: Type.String({ minLength: 1, maxLength: ibanInputLengthMax, example: 'DE89 3704 0044 0532 0130 00' }),
    reference: Type.Optional(
      Type.String({ maxLength: referenceLengthMax, pattern: printableTextPattern, default: '' }),
    ),
  },
  { additionalProperties: false },
);

/** What app.ts hands these routes. */
type Options = RouteOptions<{ readonly payees: PayeesService }>;

export async function payeesRoutes(app: TypeBoxApp, options: Options) {
  const { payees } = options.services;

  app.post(
    '/payees',
    {
      schema: {
        tags: ['payees'],
        summary: 'Save a payee; checks the name against the holder’s when the IBAN is in this bank',
        description:
          'Answers the payee with `confirmation`: `match`, `close_match` (with `suggestedName`, the holder’s name), `no_match` or `not_checked` (an account in another bank). Saving a payee does not exempt the first payment to it from passkey approval.',
        security,
        querystring: NoQuery,
        body: CreatePayeeBody,
        response: {
          201: CreatedPayee,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 409),
        },
      },
    },
    async (request, reply) => {
      const customerId = requireCustomer(request);
      const { name, iban, reference } = request.body;
      const payee = await payees.createPayee(customerId, {
        name,
        iban: parseIban(iban, '/body/iban'),
        // Ajv fills the default ''; the static type cannot know that.
        reference: reference ?? '',
      });
      return reply.code(201).header('location', `/api/v1/payees/${payee.id}`).send(payee);
    },
  );

  app.get(
    '/payees',
    {
      schema: {
        tags: ['payees'],
        summary: 'The caller’s saved payees, newest first, IBANs masked',
        security,
        querystring: Type.Object(pageQueryProperties, { additionalProperties: false }),
        response: { 200: Page(Payee), ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => {
      const customerId = requireCustomer(request);
      const { cursor, limit = pageLimitDefault } = request.query;
      return payees.listPayees(customerId, { limit, after: cursor === undefined ? undefined : decodeCursor(cursor) });
    },
  );

  app.delete(
    '/payees/:id',
    {
      schema: {
        tags: ['payees'],
        summary: 'Delete a saved payee (payments already made stay in the history)',
        security,
        params: IdParams('payee'),
        querystring: NoQuery,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          ...problemResponses(...apiProblems, ...signedInProblems, 404),
        },
      },
    },
    async (request, reply) => {
      await payees.deletePayee(requireCustomer(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
