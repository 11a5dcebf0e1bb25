import { Type } from 'typebox';
import { requireCustomer } from '../platform/auth.ts';
import { emailLengthMax, nameLengthMax, passwordInputLengthMax } from '../platform/constants.ts';
import { notFound } from '../platform/errors.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import {
  apiProblems,
  bodyProblems,
  NoQuery,
  problemResponses,
  signedInProblems,
  Timestamp,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { IdentityService } from './service.ts';

/** /api/v1/customers: registration (no token) and the signed-in customer's profile. */
const Customer = Type.Object(
  {
    id: Type.String({ pattern: idSchemaPattern('customer'), example: 'cus_01jf8x3m5n6p7q8r9s0t1v2w3x' }),
    name: Type.String(),
    email: Type.String(),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);

const RegistrationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: nameLengthMax, pattern: '^[^\\p{Cc}]+$', example: 'Ada Lovelace' }),
    email: Type.String({ format: 'email', maxLength: emailLengthMax, example: 'ada@example.com' }),
    password: Type.String({
      minLength: 1,
      maxLength: passwordInputLengthMax,
      description:
        '12 to 128 characters, any characters. Refused when common or breached, when it contains your name or e-mail, or when it is repetitive or sequential (`weak_password`, with the broken rule in errors[].rule).',
    }),
  },
  { additionalProperties: false },
);

export async function customerRoutes(app: TypeBoxApp, options: { identity: IdentityService }) {
  const { identity } = options;

  app.post(
    '/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'Register as a customer',
        description:
          'Creates a customer who can then sign in through the OAuth authorization server. An e-mail already registered (in any letter case) answers 409 `email_taken`; signing in never reveals whether an e-mail is registered.',
        querystring: NoQuery,
        body: RegistrationBody,
        response: { 201: Customer, ...problemResponses(...apiProblems, ...bodyProblems, 409) },
      },
    },
    async (request, reply) => {
      const customer = await identity.registerCustomer(request.body);
      return reply.code(201).header('location', '/api/v1/customers/me').send(customer);
    },
  );

  app.get(
    '/customers/me',
    {
      schema: {
        tags: ['customers'],
        summary: 'The signed-in customer',
        security: [{ oauth2: [] }],
        querystring: NoQuery,
        response: { 200: Customer, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => {
      const customerId = requireCustomer(request);
      const customer = await identity.findCustomerById(customerId);
      if (!customer) throw notFound('customer_not_found', 'Your customer record no longer exists. Sign in again.');
      return customer;
    },
  );
}
