import type { AuditService } from '../audit/index.ts';
import {
  Approval,
  approvalKeyOf,
  BackofficeAccount,
  type BackofficeCaller,
  type BackofficeService,
  BankFreeze,
  OptionalIdempotencyKeyHeaders,
  requireOperatorRole,
  backofficeSecurity as security,
  sendApproval,
} from '../backoffice/index.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { conflict } from '../platform/errors.ts';
import { accountNotFound } from '../platform/problems.ts';
import {
  apiProblems,
  bodyProblems,
  IdParams,
  NoBody,
  NoQuery,
  problemResponses,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { AccountsService } from './service.ts';

/**
 * Accounts' back-office actions (/backoffice/v1/accounts, docs/api/backoffice.md): the bank's freeze
 * (role accounts), lifting it (four-eyes for a named operator, executed by accountsApprovalExecutors)
 * and a read-only lookup (role support, itself audited).
 */
type Options = RouteOptions<{
  readonly accounts: AccountsService;
  readonly audit: AuditService;
  readonly backoffice: BackofficeService;
}>;
const tags = ['back office'];

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

async function lookupRoute(app: TypeBoxApp, { deps, services }: Options) {
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
}

export async function accountsBackofficeRoutes(app: TypeBoxApp, options: Options) {
  await freezeRoutes(app, options);
  await lookupRoute(app, options);
}
