import { Type } from 'typebox';
import type { ModuleRouteOptions } from '../module-types.ts';
import { parseAmountInput } from '../platform/amounts.ts';
import { conflict } from '../platform/errors.ts';
import { idempotencyKeyFor, readIdempotencyKey, sendStored } from '../platform/idempotency.ts';
import { isId } from '../platform/ids.ts';
import { formatAmount } from '../platform/money.ts';
import { accountNotFound, currencyMismatch, invalidCursor } from '../platform/problems.ts';
import {
  apiProblems,
  bodyProblems,
  IdempotencyKeyHeader,
  IdParams,
  NoBody,
  NoQuery,
  Page,
  pageQueryProperties,
  problemResponses,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import { approvalKeyOf, OptionalIdempotencyKeyHeaders, sendApproval } from './approval-http.ts';
import { type BackofficeCaller, requireApprover, requireOperatorRole } from './guard.ts';
import {
  Approval,
  AuditQuery,
  AuditRecord,
  BackofficeAccount,
  BankFreeze,
  Credit,
  CreditBody,
  RejectBody,
  security,
} from './schemas.ts';

/**
 * The back office (/backoffice/v1): operations only the bank performs, by operators with the role
 * each route names (docs/api/backoffice.md). Sensitive actions by named operators answer 202 with
 * an approval a second operator decides under /approvals.
 */
type Options = ModuleRouteOptions;
const tags = ['back office'];

async function creditRoute(app: TypeBoxApp, { deps, services }: Options) {
  const { payments, accounts, audit, backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  app.post(
    '/credits',
    {
      schema: {
        tags,
        summary: "Credit a customer's account from the bank's settlement account (role payments; four-eyes)",
        security,
        headers: IdempotencyKeyHeader,
        querystring: NoQuery,
        body: CreditBody,
        response: {
          201: Credit,
          202: Approval,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const caller = await requireOperatorRole(request, guard, 'payments');
      const { body } = request;
      const currency = body.amount.currency;
      const amountMinor = parseAmountInput(body.amount.amount, currency, '/body/amount/amount');
      const input = { accountId: body.accountId, amountMinor, currency, description: body.description };
      if (caller.automation) {
        const idempotency = idempotencyKeyFor(request, `operator:${caller.operatorId}`);
        const result = await payments.creditAccount(input, idempotency);
        if (result.response.status === 201 && !result.replayed) {
          await audit.record(deps.db, {
            action: 'payments.manual_credit',
            actor: { kind: 'operator', id: caller.operatorId },
            subject: { kind: 'account', id: input.accountId },
            details: { journalEntryId: String(result.response.body.id), amountMinor: Number(amountMinor), currency },
          });
        }
        return sendStored(reply, result);
      }
      const idempotencyKey = readIdempotencyKey(request);
      const account = await accounts.findAccount(input.accountId);
      if (!account) throw accountNotFound('operator');
      if (account.currency !== currency) {
        throw currencyMismatch('credit', '/body/amount/currency', account.currency);
      }
      const approval = await backoffice.approvals.request({
        action: 'payments.credit',
        subject: { kind: 'account', id: account.id },
        request: {
          accountId: account.id,
          amountMinor: amountMinor.toString(),
          amount: formatAmount(amountMinor, currency),
          currency,
          description: input.description,
        },
        requestedBy: caller.operatorId,
        idempotencyKey,
      });
      return sendApproval(reply, approval);
    },
  );
}

async function freezeRoutes(app: TypeBoxApp, { deps, services }: Options) {
  const { accounts, audit, backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  const recordDirect = (caller: BackofficeCaller, action: string, accountId: string) =>
    audit.record(deps.db, {
      action,
      actor: { kind: 'operator', id: caller.operatorId },
      subject: { kind: 'account', id: accountId },
    });
  const params = IdParams('account');
  const problems = problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409);

  app.post(
    '/accounts/:id/freeze',
    {
      schema: {
        tags,
        summary: 'Freeze an account by the bank; the customer cannot lift it (role accounts)',
        security,
        params,
        querystring: NoQuery,
        body: NoBody,
        response: { 200: BankFreeze, ...problems },
      },
    },
    async (request) => {
      const caller = await requireOperatorRole(request, guard, 'accounts');
      const account = await accounts.freezeByBank(request.params.id);
      await recordDirect(caller, 'accounts.frozen_by_bank', account.id);
      return { id: account.id, status: account.status };
    },
  );

  app.post(
    '/accounts/:id/unfreeze',
    {
      schema: {
        tags,
        summary: 'Lift any freeze (role accounts; four-eyes: answers 202 with the approval to decide)',
        security,
        params,
        headers: OptionalIdempotencyKeyHeaders,
        querystring: NoQuery,
        body: NoBody,
        response: { 200: BankFreeze, 202: Approval, ...problems },
      },
    },
    async (request, reply) => {
      const caller = await requireOperatorRole(request, guard, 'accounts');
      const { id } = request.params;
      if (caller.automation) {
        const account = await accounts.unfreezeByBank(id);
        await recordDirect(caller, 'accounts.unfrozen_by_bank', account.id);
        return { id: account.id, status: account.status };
      }
      const account = await accounts.findAccount(id);
      if (!account) throw accountNotFound('operator');
      if (account.status !== 'frozen')
        throw conflict('account_not_frozen', 'The account is not frozen; nothing to lift.');
      const approval = await backoffice.approvals.request({
        action: 'accounts.unfreeze',
        subject: { kind: 'account', id },
        request: { accountId: id },
        requestedBy: caller.operatorId,
        idempotencyKey: approvalKeyOf(request, 'unfreeze'),
      });
      return sendApproval(reply, approval);
    },
  );
}

async function supportRoutes(app: TypeBoxApp, { deps, services }: Options) {
  const { accounts, audit, backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  app.get(
    '/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Look up an account (role support, read-only)',
        security,
        params: IdParams('account'),
        querystring: NoQuery,
        response: { 200: BackofficeAccount, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => {
      const caller = await requireOperatorRole(request, guard, 'support');
      const account = await accounts.findAccount(request.params.id);
      if (!account) throw accountNotFound('operator');
      // Staff reading customer data is itself audited (who looked at what).
      await audit.record(deps.db, {
        action: 'backoffice.account_viewed',
        actor: { kind: 'operator', id: caller.operatorId },
        subject: { kind: 'account', id: account.id },
      });
      const { id, customerId, currency, status, iban } = account;
      return { id, customerId, currency, status, ibanLast4: iban.slice(-4) };
    },
  );

  app.get(
    '/audit-records',
    {
      schema: {
        tags,
        summary: 'The sealed audit trail about one subject, newest first (role support)',
        security,
        querystring: AuditQuery,
        response: {
          200: Type.Object({ data: Type.Array(AuditRecord) }),
          ...problemResponses(...apiProblems, ...signedInProblems),
        },
      },
    },
    async (request) => {
      await requireOperatorRole(request, guard, 'support');
      const { subjectKind, subjectId, limit } = request.query;
      return { data: await audit.recordsAbout({ kind: subjectKind, id: subjectId }, limit ?? 50) };
    },
  );
}

async function approvalRoutes(app: TypeBoxApp, { deps, services }: Options) {
  const { backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  const decisionProblems = problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 422);

  app.get(
    '/approvals',
    {
      schema: {
        tags,
        summary: 'Requests waiting for a second operator, newest first (role approver)',
        security,
        querystring: Type.Object(pageQueryProperties, { additionalProperties: false }),
        response: { 200: Page(Approval), ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => {
      await requireApprover(request, guard);
      const { limit, cursor } = request.query;
      if (cursor !== undefined && !isId('approval', cursor)) {
        throw invalidCursor();
      }
      return backoffice.approvals.listPending(limit ?? 20, cursor);
    },
  );

  app.get(
    '/approvals/:id',
    {
      schema: {
        tags,
        summary: 'One approval request (role approver)',
        security,
        params: IdParams('approval'),
        querystring: NoQuery,
        response: { 200: Approval, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => {
      await requireApprover(request, guard);
      return backoffice.approvals.get(request.params.id);
    },
  );

  app.post(
    '/approvals/:id/approve',
    {
      schema: {
        tags,
        summary: "Approve another operator's request, which executes it once (role approver)",
        security,
        params: IdParams('approval'),
        querystring: NoQuery,
        body: NoBody,
        response: { 200: Approval, ...decisionProblems },
      },
    },
    async (request) => backoffice.approvals.approve(request.params.id, await requireApprover(request, guard)),
  );

  app.post(
    '/approvals/:id/reject',
    {
      schema: {
        tags,
        summary: "Reject another operator's request; nothing is executed (role approver)",
        security,
        params: IdParams('approval'),
        querystring: NoQuery,
        body: RejectBody,
        response: { 200: Approval, ...decisionProblems },
      },
    },
    async (request) =>
      backoffice.approvals.reject(request.params.id, await requireApprover(request, guard), request.body.reason),
  );
}

export async function backofficeRoutes(app: TypeBoxApp, options: ModuleRouteOptions) {
  await creditRoute(app, options);
  await freezeRoutes(app, options);
  await supportRoutes(app, options);
  await approvalRoutes(app, options);
}
