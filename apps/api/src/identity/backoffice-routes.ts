import { Type } from 'typebox';
import type { AuditService } from '../audit/index.ts';
import {
  Approval,
  approvalKeyOf,
  type BackofficeService,
  OptionalIdempotencyKeyHeaders,
  requireOperatorRole,
  backofficeSecurity as security,
  sendApproval,
} from '../backoffice/index.ts';
import { customerStatusReasonLengthMax } from '../platform/constants.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { customerNotFound } from '../platform/problems.ts';
import {
  apiProblems,
  bodyProblems,
  IdParams,
  NoQuery,
  nonBlankTextPattern,
  problemResponses,
  StringEnum,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { CustomerStatusAction, CustomerStatusService } from './customer-status.ts';
import type { IdentityService } from './service.ts';

/**
 * The bank's changes of a customer's status (/backoffice/v1/customers/{id}/…, role customers,
 * docs/api/backoffice.md, ADR 0105): lock at once; unlock and close by four-eyes (a named operator
 * gets 202 with the approval; identityApprovalExecutors execute it); a status look-up (role support).
 */
type Options = RouteOptions<{
  readonly customerStatus: CustomerStatusService;
  readonly identity: IdentityService;
  readonly audit: AuditService;
  readonly backoffice: BackofficeService;
}>;
const tags = ['back office'];

const CustomerStatusView = Type.Object(
  { id: Type.String(), status: StringEnum(['active', 'locked', 'closed', 'erased']) },
  { additionalProperties: false },
);

const ReasonBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: customerStatusReasonLengthMax,
      pattern: nonBlankTextPattern,
      description: 'Why (a ticket or case reference): stored in the audit record and shown to the approver',
    }),
  },
  { additionalProperties: false },
);

const problems = problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409);

/** The four-eyes changes: unlock and close. */
const fourEyes = {
  unlock: {
    action: 'customers.unlock',
    summary:
      'Give a locked customer their access back (role customers; four-eyes: answers 202 with the approval to decide)',
    description:
      'Refused with 409 `customer_status_conflict` unless the customer is locked, when requested and again when approved: a status changed meanwhile fails the approval (outcome 409 `customer_status_conflict`). The customer signs in again; no session of before the lock comes back.',
  },
  close: {
    action: 'customers.close',
    summary:
      'End the relationship: close the customer (role customers; four-eyes: answers 202 with the approval to decide)',
    description:
      'Final: a closed customer is never reopened. Only when every account is closed (409 `customer_has_open_accounts` otherwise) and the customer is active or locked (409 `customer_status_conflict`), checked when requested and again when approved. Their tokens and sessions stop at once; their records stay for the retention period (erasure is a separate, compliance action).',
  },
} as const satisfies Record<Exclude<CustomerStatusAction, 'lock'>, object>;

export async function customerStatusBackofficeRoutes(app: TypeBoxApp, { deps, services }: Options) {
  const { customerStatus, identity, audit, backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  const params = IdParams('customer');

  app.post(
    '/customers/:id/lock',
    {
      schema: {
        tags,
        summary: "Lock a customer's access at once (role customers)",
        description:
          'Their access tokens are refused from the next request, their refresh tokens stop and every session ends; signing in tells them to contact the bank. Only an active customer is locked (409 `customer_status_conflict` otherwise). Audited with the reason.',
        security,
        params,
        querystring: NoQuery,
        body: ReasonBody,
        response: { 200: CustomerStatusView, ...problems },
      },
    },
    async (request) => {
      const caller = await requireOperatorRole(request, guard, 'customers');
      const { reason } = request.body;
      return customerStatus.lock({ customerId: request.params.id, reason, operatorId: caller.operatorId });
    },
  );

  for (const action of ['unlock', 'close'] as const) {
    const route = fourEyes[action];
    app.post(
      `/customers/:id/${action}`,
      {
        schema: {
          tags,
          summary: route.summary,
          description: route.description,
          security,
          params,
          headers: OptionalIdempotencyKeyHeaders,
          querystring: NoQuery,
          body: ReasonBody,
          response: { 200: CustomerStatusView, 202: Approval, ...problems },
        },
      },
      async (request, reply) => {
        const caller = await requireOperatorRole(request, guard, 'customers');
        const customerId = request.params.id;
        const { reason } = request.body;
        // Checked now so the operator learns at once; checked again when a second operator approves.
        const from = await customerStatus.checkApplies(action, customerId);
        if (caller.automation) {
          return customerStatus.apply(action, { customerId, from, reason, operatorId: caller.operatorId });
        }
        const approval = await backoffice.approvals.request({
          action: route.action,
          subject: { kind: 'customer', id: customerId },
          request: { customerId, fromStatus: from, reason },
          requestedBy: caller.operatorId,
          idempotencyKey: approvalKeyOf(request, action),
        });
        return sendApproval(reply, approval);
      },
    );
  }

  app.get(
    '/customers/:id/status',
    {
      schema: {
        tags,
        summary: "A customer's status (role support, read-only; the look-up is audited)",
        security,
        params,
        querystring: NoQuery,
        response: { 200: CustomerStatusView, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => {
      const caller = await requireOperatorRole(request, guard, 'support');
      const status = await identity.customerStatusOf(request.params.id);
      if (status === undefined) throw customerNotFound('operator');
      await audit.record(deps.db, {
        action: 'backoffice.customer_status_viewed',
        actor: { kind: 'operator', id: caller.operatorId },
        subject: { kind: 'customer', id: request.params.id },
      });
      return { id: request.params.id, status };
    },
  );
}
