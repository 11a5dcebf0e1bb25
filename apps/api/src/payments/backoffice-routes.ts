import { Type } from 'typebox';
import type { ModuleRouteOptions } from '../module-types.ts';
import { requireOperator } from '../platform/auth.ts';
import { descriptionLengthMax } from '../platform/constants.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import {
  ApiMoney,
  ApiMoneyInput,
  apiProblems,
  bodyProblems,
  IdempotencyKeyHeader,
  IdParams,
  NoBody,
  NoQuery,
  NullableTimestamp,
  printableTextPattern,
  problemResponses,
  StringEnum,
  signedInProblems,
  Timestamp,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import { parseAmountInput } from './amounts.ts';
import { idempotencyKeyFor, sendStored } from './idempotency.ts';

/**
 * The back office (/backoffice/v1): operations only the bank performs, guarded by an operator token
 * (client credentials of the back-office client). Customers' tokens get 403.
 */
const security = [{ oauth2: [] }];

const Credit = Type.Object({
  id: Type.String({ description: 'The journal entry id', example: 'jnl_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  status: StringEnum(['posted']),
  accountId: Type.String(),
  amount: ApiMoney,
  description: Type.String(),
  balanceAfter: Type.Union([ApiMoney, Type.Null()]),
  createdAt: Timestamp,
  postedAt: NullableTimestamp,
});

const CreditBody = Type.Object(
  {
    accountId: Type.String({ pattern: idSchemaPattern('account') }),
    amount: ApiMoneyInput,
    description: Type.String({ minLength: 1, maxLength: descriptionLengthMax, pattern: printableTextPattern }),
  },
  { additionalProperties: false },
);

const BankFreeze = Type.Object({ id: Type.String(), status: StringEnum(['open', 'frozen', 'closed']) });

export async function backofficeRoutes(app: TypeBoxApp, options: ModuleRouteOptions) {
  const { payments, accounts } = options.services;

  app.post(
    '/credits',
    {
      schema: {
        tags: ['back office'],
        summary: "Credit a customer's account from the bank's settlement account",
        security,
        headers: IdempotencyKeyHeader,
        querystring: NoQuery,
        body: CreditBody,
        response: {
          201: Credit,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const operator = requireOperator(request);
      const idempotency = idempotencyKeyFor(request, `operator:${operator.subject}`);
      const body = request.body;
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
          params: IdParams('account'),
          querystring: NoQuery,
          body: NoBody,
          response: {
            200: BankFreeze,
            ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409),
          },
        },
      },
      async (request) => {
        requireOperator(request);
        const { id } = request.params;
        const account = action === 'freeze' ? await accounts.freezeByBank(id) : await accounts.unfreezeByBank(id);
        return { id: account.id, status: account.status };
      },
    );
  }
}
