import { Type } from 'typebox';
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
  IdParams,
  NoBody,
  NoQuery,
  NullableString,
  Page,
  pageQueryProperties,
  problemResponses,
  StringEnum,
  signedInProblems,
  Timestamp,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { TransferReviews } from './reviews.ts';
import { Transfer } from './routes.ts';
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
  readonly transferReviews: TransferReviews;
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

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** A held transfer with the decision that held it: what the fraud analyst reviews. */
const FraudReview = Type.Object({
  transfer: Transfer,
  customerId: Type.String(),
  decision: Type.Union([
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      outcome: Type.String(),
      model: Type.String({ description: "'name@version' of the model, or 'rules-only'" }),
      score: NullableNumber,
      rulesScore: Type.Number(),
      customerReason: NullableString(),
      reasons: Type.Array(
        Type.Object({ feature: Type.String(), description: Type.String(), contribution: Type.Number() }),
        { description: 'The rules that fired, then the model’s strongest features, in plain words' },
      ),
      decidedAt: Timestamp,
      review: Type.Union([
        Type.Object({ outcome: StringEnum(['approved', 'rejected']), by: Type.String(), at: Timestamp }),
        Type.Null(),
      ]),
    }),
    Type.Null(),
  ]),
});

const RejectHeldBody = Type.Object(
  {
    freezeAccount: Type.Optional(
      Type.Boolean({ default: false, description: 'Also freeze the paying account (a bank freeze)' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * The fraud review queue (docs/adr/0131, role fraud): held transfers oldest first; approve posts
 * one, reject voids its hold. Retrying the same decision answers the decided transfer again.
 */
async function fraudReviewRoutes(app: TypeBoxApp, { deps, services }: Options) {
  const { transferReviews, backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  const decisionProblems = problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 422);
  app.get(
    '/fraud-reviews',
    {
      schema: {
        tags,
        summary: 'Transfers held for fraud review, oldest first, with the reasons (role fraud)',
        security,
        querystring: Type.Object(pageQueryProperties, { additionalProperties: false }),
        response: { 200: Page(FraudReview), ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => {
      await requireOperatorRole(request, guard, 'fraud');
      return transferReviews.listHeld(request.query.limit ?? 20, request.query.cursor);
    },
  );
  app.post(
    '/fraud-reviews/:id/approve',
    {
      schema: {
        tags,
        summary: 'Approve a held transfer: the money moves to the payee (role fraud)',
        security,
        params: IdParams('transfer'),
        querystring: NoQuery,
        body: NoBody,
        response: { 200: FraudReview, ...decisionProblems },
      },
    },
    async (request) => {
      const caller = await requireOperatorRole(request, guard, 'fraud');
      return transferReviews.approve(request.params.id, caller.operatorId);
    },
  );
  app.post(
    '/fraud-reviews/:id/reject',
    {
      schema: {
        tags,
        summary: 'Reject a held transfer: the reserved money is released; optionally freeze the account (role fraud)',
        security,
        params: IdParams('transfer'),
        querystring: NoQuery,
        body: RejectHeldBody,
        response: { 200: FraudReview, ...decisionProblems },
      },
    },
    async (request) => {
      const caller = await requireOperatorRole(request, guard, 'fraud');
      return transferReviews.reject(request.params.id, caller.operatorId, request.body.freezeAccount ?? false);
    },
  );
}

export async function paymentsBackofficeRoutes(app: TypeBoxApp, options: Options) {
  await creditRoute(app, options);
  await fraudReviewRoutes(app, options);
}
