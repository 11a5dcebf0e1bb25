import type { FastifyInstance } from 'fastify';
import { requireCustomer } from '../platform/auth.ts';
import { emailLengthMax, nameLengthMax, passwordInputLengthMax } from '../platform/constants.ts';
import { notFound } from '../platform/errors.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import type { IdentityService, Registration } from './service.ts';

/** /api/v1/customers: registration (no token) and the signed-in customer's profile. */
const customerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'email', 'createdAt'],
  properties: {
    id: { type: 'string', pattern: idSchemaPattern('customer'), example: 'cus_01jf8x3m5n6p7q8r9s0t1v2w3x' },
    name: { type: 'string' },
    email: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const problemSchema = {
  description: 'RFC 9457 problem details (application/problem+json)',
  type: 'object',
  additionalProperties: true,
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    traceId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: { pointer: { type: 'string' }, detail: { type: 'string' }, rule: { type: 'string' } },
      },
    },
  },
} as const;

const registrationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'email', 'password'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: nameLengthMax, pattern: '^[^\\p{Cc}]+$', example: 'Ada Lovelace' },
    email: { type: 'string', format: 'email', maxLength: emailLengthMax, example: 'ada@example.com' },
    password: {
      type: 'string',
      minLength: 1,
      maxLength: passwordInputLengthMax,
      description:
        '12 to 128 characters, any characters. Refused when common or breached, when it contains your name or e-mail, or when it is repetitive or sequential (`weak_password`, with the broken rule in errors[].rule).',
    },
  },
} as const;

export async function customerRoutes(app: FastifyInstance, options: { identity: IdentityService }) {
  const { identity } = options;

  app.post<{ Body: Registration }>(
    '/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'Register as a customer',
        description:
          'Creates a customer who can then sign in through the OAuth authorization server. An e-mail already registered (in any letter case) answers 409 `email_taken`; signing in never reveals whether an e-mail is registered.',
        body: registrationBody,
        response: { 201: customerSchema, 400: problemSchema, 409: problemSchema },
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
        response: { 200: customerSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema },
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
