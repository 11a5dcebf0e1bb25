import type { AccountsService } from '../accounts/index.ts';
import type { AuditService } from '../audit/index.ts';
import {
  Approval,
  type BackofficeService,
  Credit,
  CreditBody,
  requireOperatorRole,
  backofficeSecurity as security,
  sendApproval,
} from '../backoffice/index.ts';
import { parseAmountInput } from '../platform/amounts.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { idempotencyKeyFor, readIdempotencyKey, sendStored } from '../platform/idempotency.ts';
import { formatAmount } from '../platform/money.ts';
import { accountNotFound, currencyMismatch } from '../platform/problems.ts';
import {
  apiProblems,
  bodyProblems,
  IdempotencyKeyHeader,
  NoQuery,
  problemResponses,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { PaymentsService } from './service.ts';

/**
 * Payments' back-office action (/backoffice/v1/credits, docs/api/backoffice.md): a credit from the
 * bank's settlement account, by an operator with the payments role; a named operator's credit waits
 * for a second operator (four-eyes, executed by paymentsApprovalExecutors).
 */
type Options = RouteOptions<{
  readonly payments: PaymentsService;
  readonly accounts: AccountsService;
  readonly audit: AuditService;
  readonly backoffice: BackofficeService;
}>;
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

export async function paymentsBackofficeRoutes(app: TypeBoxApp, options: Options) {
  await creditRoute(app, options);
}
