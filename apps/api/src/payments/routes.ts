import type { FastifyInstance } from 'fastify';
import { validateIban } from '../accounts/iban.ts';
import {
  idempotencyHeaderSchema,
  moneyInputSchema,
  moneySchema,
  nullableTimestampSchema,
  problemResponses,
  timestampSchema,
} from '../accounts/schemas.ts';
import type { ModuleRouteOptions } from '../module-types.ts';
import { requireCustomer } from '../platform/auth.ts';
import { referenceLengthMax } from '../platform/constants.ts';
import { badRequest } from '../platform/errors.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import type { Currency } from '../platform/money.ts';
import { parseAmountInput } from './amounts.ts';
import { idempotencyKeyFor, sendStored } from './idempotency.ts';

const security = [{ oauth2: [] }];

/** Printable text: no control characters (they corrupt statements and downstream files). */
export const printableTextPattern = '^[^\\p{Cc}]*$';

export const transferSchema = {
  type: 'object',
  required: [
    'id',
    'status',
    'fromAccountId',
    'toAccountId',
    'amount',
    'reference',
    'counterparty',
    'createdAt',
    'postedAt',
  ],
  properties: {
    id: { type: 'string', example: 'trf_01jf8x9k2m3n4p5q6r7s8t9v0w' },
    status: { type: 'string', enum: ['posted'] },
    fromAccountId: { type: 'string' },
    toAccountId: { type: ['string', 'null'], description: 'Only when the payee account is the sender’s own' },
    amount: moneySchema,
    reference: { type: 'string' },
    counterparty: {
      type: 'object',
      required: ['name', 'maskedIban'],
      properties: { name: { type: 'string', example: 'J*** D**' }, maskedIban: { type: 'string' } },
    },
    createdAt: timestampSchema,
    postedAt: nullableTimestampSchema,
  },
} as const;

interface TransferBody {
  fromAccountId: string;
  to: { accountId: string } | { iban: string };
  amount: { amount: string; currency: Currency };
  reference: string;
}

function parseIban(text: string): string {
  const result = validateIban(text);
  if (result.ok) return result.iban;
  const why = {
    charset: 'has characters an IBAN cannot have',
    country: 'has a country code we cannot pay to',
    length: 'has the wrong length for its country',
    checksum: 'has wrong check digits (a typo?)',
  }[result.problem];
  throw badRequest('invalid_iban', `The payee IBAN ${why}. Check it with the payee.`, {
    errors: [{ pointer: '/body/to/iban', detail: why }],
  });
}

export async function paymentsRoutes(app: FastifyInstance, options: ModuleRouteOptions) {
  const { payments } = options.services;

  app.post(
    '/transfers',
    {
      schema: {
        tags: ['transfers'],
        summary: 'Transfer money to an own account, or to another customer by IBAN',
        description:
          'Requires an Idempotency-Key header. A retry with the same key and body returns the stored response with `Idempotent-Replayed: true`; the same key with another body is refused with 422 idempotency_key_reused.',
        security,
        headers: idempotencyHeaderSchema,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['fromAccountId', 'to', 'amount'],
          properties: {
            fromAccountId: { type: 'string', pattern: idSchemaPattern('account') },
            to: {
              oneOf: [
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['accountId'],
                  properties: { accountId: { type: 'string', pattern: idSchemaPattern('account') } },
                },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['iban'],
                  properties: { iban: { type: 'string', minLength: 1, maxLength: 50 } },
                },
              ],
            },
            amount: moneyInputSchema,
            reference: { type: 'string', maxLength: referenceLengthMax, pattern: printableTextPattern, default: '' },
          },
        },
        response: { 201: transferSchema, ...problemResponses(403, 404, 409, 415, 422) },
      },
    },
    async (request, reply) => {
      const customerId = requireCustomer(request);
      const idempotency = idempotencyKeyFor(request, `customer:${customerId}`);
      const body = request.body as TransferBody;
      const amountMinor = parseAmountInput(body.amount.amount, body.amount.currency, '/body/amount/amount');
      const to = 'iban' in body.to ? { iban: parseIban(body.to.iban) } : { accountId: body.to.accountId };
      const input = {
        fromAccountId: body.fromAccountId,
        to,
        amountMinor,
        currency: body.amount.currency,
        reference: body.reference,
      };
      return sendStored(reply, await payments.createTransfer(customerId, input, idempotency));
    },
  );

  app.get(
    '/transfers/:id',
    {
      schema: {
        tags: ['transfers'],
        summary: 'One of the caller’s transfers',
        security,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: { type: 'string', pattern: idSchemaPattern('transfer') } },
        },
        response: { 200: transferSchema, ...problemResponses(403, 404) },
      },
    },
    async (request) => payments.getTransfer(requireCustomer(request), (request.params as { id: string }).id),
  );
}
