import type { FastifyInstance } from 'fastify';
import {
  idempotencyHeaderSchema,
  moneyInputSchema,
  moneySchema,
  nullableTimestampSchema,
  problemResponses,
  timestampSchema,
} from '../accounts/schemas.ts';
import type { ModuleRouteOptions } from '../module-types.ts';
import { requireOperator } from '../platform/auth.ts';
import { descriptionLengthMax } from '../platform/constants.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import type { Currency } from '../platform/money.ts';
import { parseAmountInput } from './amounts.ts';
import { idempotencyKeyFor, sendStored } from './idempotency.ts';
import { printableTextPattern } from './routes.ts';

/**
 * The back office (/backoffice/v1): operations only the bank performs, guarded by an operator token
 * (client credentials of the back-office client). Customers' tokens get 403.
 */
const security = [{ oauth2: [] }];

export const creditSchema = {
  type: 'object',
  required: ['id', 'status', 'accountId', 'amount', 'description', 'balanceAfter', 'createdAt', 'postedAt'],
  properties: {
    id: { type: 'string', description: 'The journal entry id', example: 'jnl_01jf8x9k2m3n4p5q6r7s8t9v0w' },
    status: { type: 'string', enum: ['posted'] },
    accountId: { type: 'string' },
    amount: moneySchema,
    description: { type: 'string' },
    balanceAfter: { anyOf: [moneySchema, { type: 'null' }] },
    createdAt: timestampSchema,
    postedAt: nullableTimestampSchema,
  },
} as const;

const accountIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: idSchemaPattern('account') } },
} as const;

const bankFreezeResponse = {
  type: 'object',
  required: ['id', 'status'],
  properties: { id: { type: 'string' }, status: { type: 'string', enum: ['open', 'frozen', 'closed'] } },
} as const;

export async function backofficeRoutes(app: FastifyInstance, options: ModuleRouteOptions) {
  const { payments, accounts } = options.services;

  app.post(
    '/credits',
    {
      schema: {
        tags: ['back office'],
        summary: "Credit a customer's account from the bank's settlement account",
        security,
        headers: idempotencyHeaderSchema,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['accountId', 'amount', 'description'],
          properties: {
            accountId: { type: 'string', pattern: idSchemaPattern('account') },
            amount: moneyInputSchema,
            description: {
              type: 'string',
              minLength: 1,
              maxLength: descriptionLengthMax,
              pattern: printableTextPattern,
            },
          },
        },
        response: { 201: creditSchema, ...problemResponses(403, 404, 409, 415, 422) },
      },
    },
    async (request, reply) => {
      const operator = requireOperator(request);
      const idempotency = idempotencyKeyFor(request, `operator:${operator.subject}`);
      const body = request.body as {
        accountId: string;
        amount: { amount: string; currency: Currency };
        description: string;
      };
      const amountMinor = parseAmountInput(body.amount.amount, body.amount.currency, '/body/amount/amount');
      const input = {
        accountId: body.accountId,
        amountMinor,
        currency: body.amount.currency,
        description: body.description,
      };
      return sendStored(reply, await payments.creditAccount(input, idempotency));
    },
  );

  for (const action of ['freeze', 'unfreeze'] as const) {
    app.post(
      `/accounts/:id/${action}`,
      {
        schema: {
          tags: ['back office'],
          summary:
            action === 'freeze' ? 'Freeze an account by the bank (the customer cannot lift it)' : 'Lift any freeze',
          security,
          params: accountIdParams,
          response: { 200: bankFreezeResponse, ...problemResponses(403, 404, 409) },
        },
      },
      async (request) => {
        requireOperator(request);
        const { id } = request.params as { id: string };
        const account = action === 'freeze' ? await accounts.freezeByBank(id) : await accounts.unfreezeByBank(id);
        return { id: account.id, status: account.status };
      },
    );
  }
}
