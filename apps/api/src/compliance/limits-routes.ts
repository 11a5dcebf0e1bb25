import { Type } from 'typebox';
import type { BackofficeService } from '../backoffice/index.ts';
import {
  Approval,
  approvalKeyOf,
  OptionalIdempotencyKeyHeaders,
  requireOperatorRole,
  sendApproval,
} from '../backoffice/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { parseAmountInput } from '../platform/amounts.ts';
import { requireCustomer } from '../platform/auth.ts';
import { amountTextLengthMax, limitOverrideReasonLengthMax } from '../platform/constants.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { currencies } from '../platform/money.ts';
import { customerNotFound, limitOverrideNotFound } from '../platform/problems.ts';
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
import type { LimitsService } from './limits.ts';

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
    perTransferMaximum: Type.String({ minLength: 1, maxLength: amountTextLengthMax, example: '5000.00' }),
    dailyMaximum: Type.String({ minLength: 1, maxLength: amountTextLengthMax, example: '20000.00' }),
    reason: Type.String({ minLength: 1, maxLength: limitOverrideReasonLengthMax, pattern: printableTextPattern }),
  },
  { additionalProperties: false },
);

/** What app.ts hands these routes. */
type Options = RouteOptions<{
  readonly limits: LimitsService;
  readonly backoffice: BackofficeService;
  readonly identity: IdentityService;
}>;

export async function limitsRoutes(app: TypeBoxApp, options: Options) {
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

export async function limitsBackofficeRoutes(app: TypeBoxApp, options: Options) {
  const { limits, backoffice, identity } = options.services;
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
        headers: OptionalIdempotencyKeyHeaders,
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
      // Checked before anything is stored, so the requester learns now rather than from a failed approval.
      limits.checkOverride(input);
      if (!(await identity.findCustomerById(input.customerId))) throw customerNotFound('operator');
      if (operator.automation) return limits.setLimitOverride(input);
      const approval = await backoffice.approvals.request({
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
        idempotencyKey: approvalKeyOf(request, 'limits'),
      });
      return sendApproval(reply, approval);
    },
  );

  app.delete(
    '/customers/:id/limit-overrides',
    {
      schema: {
        tags: ['back office'],
        summary:
          "Remove a customer's override in one currency: their tier's limits apply again (role compliance; four-eyes when that raises their limits: 202 with the approval)",
        security,
        params: IdParams('customer'),
        headers: OptionalIdempotencyKeyHeaders,
        querystring: OverrideQuery,
        response: {
          200: Limits,
          202: Approval,
          ...problemResponses(...apiProblems, ...signedInProblems, 400, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const operator = await requireOperatorRole(request, guard, 'compliance');
      const customerId = request.params.id;
      const { currency } = request.query;
      const raises = await limits.overrideRemovalRaisesLimits(customerId, currency);
      if (raises === undefined) throw limitOverrideNotFound();
      // Lifting a restriction raises the customer's limits: a second operator must agree (SOX).
      if (raises && !operator.automation) {
        const approval = await backoffice.approvals.request({
          action: 'limits.override_removal',
          subject: { kind: 'customer', id: customerId },
          request: { customerId, currency },
          requestedBy: operator.operatorId,
          idempotencyKey: approvalKeyOf(request, 'limits-removal'),
        });
        return sendApproval(reply, approval);
      }
      if (!(await limits.removeLimitOverride(customerId, currency, operator.operatorId))) throw limitOverrideNotFound();
      return limits.limitsOf(customerId);
    },
  );
}
