import { Type } from 'typebox';
import { requireOperatorRole } from '../backoffice/guard.ts';
import { Approval } from '../backoffice/schemas.ts';
import type { ModuleRouteOptions } from '../module-types.ts';
import { parseAmountInput } from '../payments/amounts.ts';
import { readIdempotencyKey } from '../payments/idempotency.ts';
import { requireCustomer } from '../platform/auth.ts';
import { limitOverrideReasonLengthMax } from '../platform/constants.ts';
import { notFound } from '../platform/errors.ts';
import { currencies } from '../platform/money.ts';
import {
  ApiMoney,
  apiProblems,
  bodyProblems,
  IdParams,
  NoQuery,
  printableTextPattern,
  problemResponses,
  StringEnum,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';

/** Transfer limits: the customer's own (/api/v1/me/limits) and the back office's overrides. */
const security = [{ oauth2: [] }];

const Limits = Type.Object({
  kycStatus: StringEnum(['none', 'pending', 'verified', 'rejected']),
  tier: Type.Union([Type.Integer(), Type.Null()]),
  day: Type.String({ format: 'date', description: 'The UTC day the daily figures are for' }),
  limits: Type.Array(
    Type.Object({
      currency: StringEnum(currencies),
      perTransfer: ApiMoney,
      daily: ApiMoney,
      usedToday: ApiMoney,
      remainingToday: ApiMoney,
      source: StringEnum(['tier', 'override']),
    }),
    { description: 'Payments to other customers; transfers between your own accounts are not limited' },
  ),
});

const OverrideQuery = Type.Object({ currency: StringEnum(currencies) }, { additionalProperties: false });

const OverrideBody = Type.Object(
  {
    currency: StringEnum(currencies),
    perTransferMaximum: Type.String({ minLength: 1, maxLength: 40, example: '5000.00' }),
    dailyMaximum: Type.String({ minLength: 1, maxLength: 40, example: '20000.00' }),
    reason: Type.String({ minLength: 1, maxLength: limitOverrideReasonLengthMax, pattern: printableTextPattern }),
  },
  { additionalProperties: false },
);

export async function limitsRoutes(app: TypeBoxApp, options: ModuleRouteOptions) {
  const { limits } = options.services;
  app.get(
    '/me/limits',
    {
      schema: {
        tags: ['kyc'],
        summary: 'Your transfer limits per currency and what is left of them today',
        security,
        querystring: NoQuery,
        response: { 200: Limits, ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => limits.limitsOf(requireCustomer(request)),
  );
}

export async function limitsBackofficeRoutes(app: TypeBoxApp, options: ModuleRouteOptions) {
  const { limits, backoffice } = options.services;
  // Limits are the compliance role's; a named operator's override waits for a second operator (four-eyes).
  const guard = { config: options.deps.config, operators: backoffice.operators };

  app.put(
    '/customers/:id/limit-overrides',
    {
      schema: {
        tags: ['back office'],
        summary:
          "Replace a customer's tier limits in one currency (role compliance; four-eyes: answers 202 with the approval to decide)",
        security,
        params: IdParams('customer'),
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({ description: 'Optional: a retried request with the same key finds its approval.' }),
          ),
        }),
        querystring: NoQuery,
        body: OverrideBody,
        response: {
          200: Limits,
          202: Approval,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const operator = await requireOperatorRole(request, guard, 'compliance');
      const { body } = request;
      const { currency } = body;
      const input = {
        customerId: request.params.id,
        currency,
        perTransferMaxMinor: parseAmountInput(body.perTransferMaximum, currency, '/body/perTransferMaximum'),
        dailyMaxMinor: parseAmountInput(body.dailyMaximum, currency, '/body/dailyMaximum'),
        reason: body.reason,
        operator: operator.operatorId,
      };
      if (operator.automation) return limits.setLimitOverride(input);
      const { approval } = await backoffice.approvals.request({
        action: 'limits.override',
        subject: { kind: 'customer', id: input.customerId },
        request: {
          customerId: input.customerId,
          currency,
          perTransferMaxMinor: input.perTransferMaxMinor.toString(),
          dailyMaxMinor: input.dailyMaxMinor.toString(),
          reason: input.reason,
        },
        requestedBy: operator.operatorId,
        idempotencyKey:
          request.headers['idempotency-key'] === undefined ? `limits:${request.id}` : readIdempotencyKey(request),
      });
      return reply.code(202).send(approval);
    },
  );

  app.delete(
    '/customers/:id/limit-overrides',
    {
      schema: {
        tags: ['back office'],
        summary: "Remove a customer's override in one currency: their tier's limits apply again",
        security,
        params: IdParams('customer'),
        querystring: OverrideQuery,
        response: { 200: Limits, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => {
      const operator = await requireOperatorRole(request, guard, 'compliance');
      if (!(await limits.removeLimitOverride(request.params.id, request.query.currency, operator.operatorId)))
        throw notFound('limit_override_not_found', 'This customer has no override in this currency.');
      return limits.limitsOf(request.params.id);
    },
  );
}
