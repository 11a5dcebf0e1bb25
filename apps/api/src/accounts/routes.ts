import type { FastifyInstance } from 'fastify';
import type { ModuleRouteOptions } from '../module-types.ts';
import { requireCustomer } from '../platform/auth.ts';
import { nameLengthMax, searchTextLengthMax } from '../platform/constants.ts';
import { badRequest } from '../platform/errors.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import { type Currency, currencies } from '../platform/money.ts';
import type { Direction, HistoryRow, LineStatus } from './history.ts';
import { maskIban } from './iban.ts';
import { maskName } from './masking.ts';
import type { AccountType } from './repository.ts';
import {
  apiMoney,
  decodeCursor,
  moneySchema,
  nullableTimestampSchema,
  pageQueryProperties,
  problemResponses,
  timestampSchema,
} from './schemas.ts';
import type { AccountView } from './service.ts';

const security = [{ oauth2: [] }];

const accountProperties = {
  id: { type: 'string', example: 'acc_01jf8x9k2m3n4p5q6r7s8t9v0w' },
  type: { type: 'string', enum: ['checking', 'savings'] },
  name: { type: 'string' },
  currency: { type: 'string', enum: currencies },
  maskedIban: { type: 'string', example: 'DE** **** **** **** **30 00' },
  status: { type: 'string', enum: ['open', 'frozen', 'closed'] },
  balance: moneySchema,
  availableBalance: moneySchema,
  overdraftLimit: moneySchema,
  createdAt: timestampSchema,
} as const;

const accountListItemSchema = {
  type: 'object',
  required: Object.keys(accountProperties),
  properties: accountProperties,
} as const;

const accountDetailSchema = {
  type: 'object',
  required: [...Object.keys(accountProperties), 'iban'],
  properties: { ...accountProperties, iban: { type: 'string', example: 'DE89370400440532013000' } },
} as const;

const accountIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: idSchemaPattern('account') } },
} as const;

/** A name a person typed: no control characters, no leading or trailing spaces. */
const nameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: nameLengthMax,
  pattern: '^[^\\p{Cc}\\s](?:[^\\p{Cc}]*[^\\p{Cc}\\s])?$',
} as const;

const listItem = ({ iban: _iban, ...rest }: AccountView) => rest;

const transactionSchema = {
  type: 'object',
  required: [
    'id',
    'accountId',
    'direction',
    'amount',
    'balanceAfter',
    'status',
    'description',
    'counterparty',
    'category',
    'createdAt',
    'postedAt',
  ],
  properties: {
    id: { type: 'string', example: 'txn_01jf8x9k2m3n4p5q6r7s8t9v0w' },
    accountId: { type: 'string' },
    direction: { type: 'string', enum: ['credit', 'debit'] },
    amount: moneySchema,
    balanceAfter: { anyOf: [moneySchema, { type: 'null' }] },
    status: { type: 'string', enum: ['pending', 'posted', 'voided', 'reversed'] },
    description: { type: 'string' },
    counterparty: {
      anyOf: [
        {
          type: 'object',
          required: ['name', 'maskedIban'],
          properties: { name: { type: 'string', example: 'J*** D**' }, maskedIban: { type: 'string' } },
        },
        { type: 'null' },
      ],
    },
    category: { type: ['string', 'null'] },
    createdAt: timestampSchema,
    postedAt: nullableTimestampSchema,
  },
} as const;

function transactionItem(row: HistoryRow) {
  return {
    id: row.id,
    accountId: row.account_id,
    direction: row.direction,
    amount: apiMoney(row.amount_minor, row.currency),
    balanceAfter: row.balance_after_minor === null ? null : apiMoney(row.balance_after_minor, row.currency),
    status: row.status,
    description: row.description,
    counterparty:
      row.counterparty_name !== null && row.counterparty_iban !== null
        ? { name: maskName(row.counterparty_name), maskedIban: maskIban(row.counterparty_iban) }
        : null,
    category: row.category,
    createdAt: row.created_at.toISOString(),
    postedAt: row.posted_at?.toISOString() ?? null,
  };
}

interface HistoryQuery {
  accountId?: string;
  from?: string;
  to?: string;
  minAmount?: string;
  maxAmount?: string;
  status?: LineStatus;
  direction?: Direction;
  q?: string;
  limit: number;
  cursor?: string;
}

/** A date-time filter as UTC ISO text PostgreSQL accepts (years 0001-9999), or a 400 naming it. */
function instant(text: string | undefined, name: 'from' | 'to'): string | undefined {
  if (text === undefined) return undefined;
  const iso = new Date(text).toISOString();
  if (!/^(?!0000)\d{4}-/.test(iso)) {
    throw badRequest('invalid_date_range', `\`${name}\` must fall between the years 0001 and 9999 (UTC).`, {
      errors: [{ pointer: `/query/${name}`, detail: 'is out of range' }],
    });
  }
  return iso;
}

/** Range filters that cannot match anything are the client's mistake; say which. */
function checkRanges(query: HistoryQuery): void {
  if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) {
    throw badRequest('invalid_date_range', '`from` is after `to`. Swap them or widen the range.', {
      errors: [{ pointer: '/query/from', detail: 'must not be after to' }],
    });
  }
  if (query.minAmount && query.maxAmount && Number(query.minAmount) > Number(query.maxAmount)) {
    throw badRequest('invalid_amount_range', '`minAmount` is above `maxAmount`. Swap them.', {
      errors: [{ pointer: '/query/minAmount', detail: 'must not be above maxAmount' }],
    });
  }
}

export async function accountsRoutes(app: FastifyInstance, options: ModuleRouteOptions) {
  const { accounts } = options.services;

  app.get(
    '/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: "The caller's accounts with current and available balances, newest first",
        security,
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: {
          200: {
            type: 'object',
            required: ['data', 'nextCursor'],
            properties: {
              data: { type: 'array', items: accountListItemSchema },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          ...problemResponses(),
        },
      },
    },
    async (request) => {
      const customerId = requireCustomer(request);
      const query = request.query as { limit: number; cursor?: string };
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const page = await accounts.listAccounts(customerId, { limit: query.limit, after });
      return { data: page.data.map(listItem), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'One of the caller’s accounts, with its full IBAN',
        security,
        params: accountIdParams,
        response: { 200: accountDetailSchema, ...problemResponses(404) },
      },
    },
    async (request) => accounts.getAccount(requireCustomer(request), (request.params as { id: string }).id),
  );

  app.post(
    '/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Open a checking or savings account',
        security,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'currency'],
          properties: {
            type: { type: 'string', enum: ['checking', 'savings'] },
            currency: { type: 'string', enum: currencies },
            name: nameSchema,
          },
        },
        response: { 201: accountDetailSchema, ...problemResponses(403, 409, 415) },
      },
    },
    async (request, reply) => {
      const customerId = requireCustomer(request);
      const body = request.body as { type: AccountType; currency: Currency; name?: string };
      reply.code(201);
      return accounts.openAccount(customerId, body);
    },
  );

  const actions = { freeze: accounts.freeze, unfreeze: accounts.unfreeze, close: accounts.close } as const;
  const summaries = {
    freeze: 'Freeze an account: no money moves in or out until it is unfrozen',
    unfreeze: 'Lift a freeze the customer placed (a bank freeze needs support)',
    close: 'Close an account with a zero balance and no pending payments; it cannot be reopened',
  } as const;
  for (const action of ['freeze', 'unfreeze', 'close'] as const) {
    app.post(
      `/accounts/:id/${action}`,
      {
        schema: {
          tags: ['accounts'],
          summary: summaries[action],
          security,
          params: accountIdParams,
          response: { 200: accountDetailSchema, ...problemResponses(404, 409) },
        },
      },
      async (request) => actions[action](requireCustomer(request), (request.params as { id: string }).id),
    );
  }

  app.get(
    '/transactions',
    {
      schema: {
        tags: ['transactions'],
        summary: "The caller's transactions across their accounts, newest first",
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            accountId: { type: 'string', pattern: idSchemaPattern('account') },
            from: { type: 'string', format: 'date-time', description: 'Created at or after (ISO 8601)' },
            to: { type: 'string', format: 'date-time', description: 'Created at or before (ISO 8601)' },
            minAmount: { type: 'string', pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$', example: '10.00' },
            maxAmount: { type: 'string', pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$', example: '250.00' },
            status: { type: 'string', enum: ['pending', 'posted', 'voided', 'reversed'] },
            direction: { type: 'string', enum: ['credit', 'debit'] },
            q: {
              type: 'string',
              minLength: 1,
              maxLength: searchTextLengthMax,
              description: 'Text in description or counterparty',
            },
            ...pageQueryProperties,
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['data', 'nextCursor'],
            properties: { data: { type: 'array', items: transactionSchema }, nextCursor: { type: ['string', 'null'] } },
          },
          ...problemResponses(404),
        },
      },
    },
    async (request) => {
      const customerId = requireCustomer(request);
      const query = request.query as HistoryQuery;
      checkRanges(query);
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const page = await accounts.listTransactions(customerId, {
        ...query,
        from: instant(query.from, 'from'),
        to: instant(query.to, 'to'),
        after,
      });
      return { data: page.rows.map(transactionItem), nextCursor: page.nextCursor };
    },
  );
}
