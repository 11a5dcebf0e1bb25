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
import { Customer, missingCustomer } from '../identity/index.ts';
import { requireCustomer } from '../platform/auth.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import {
  apiProblems,
  bodyProblems,
  IdParams,
  NoBody,
  NoQuery,
  problemResponses,
  signedInProblems,
  Timestamp,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { GdprService } from './gdpr.ts';

/**
 * GDPR routes: a customer's export of their personal data (/api/v1) and the back office's erasure
 * by crypto-shredding (/backoffice/v1). See gdpr.ts for the rules.
 */
const Section = Type.Array(Type.Object({}, { additionalProperties: true }));

const PersonalDataExport = Type.Object(
  {
    format: Type.Literal('nextgen-personal-data-export/1'),
    exportedAt: Timestamp,
    customer: Customer,
    accounts: Section,
    transactions: Section,
    transactionsTruncated: Type.Boolean(),
  },
  {
    additionalProperties: true,
    description:
      'Everything the bank holds about you. Further members (passkeys, kyc, payees, sessions) come from the modules that hold them.',
  },
);

const Erasure = Type.Object(
  {
    customerId: Type.String(),
    erased: Type.Literal(true),
    erasedNow: Type.Boolean({ description: 'false when the customer had been erased before' }),
  },
  { additionalProperties: false },
);

/** What app.ts hands these routes. */
type Options = RouteOptions<{
  readonly gdpr: GdprService;
  readonly identity: IdentityService;
  readonly backoffice: BackofficeService;
}>;

export async function gdprRoutes(app: TypeBoxApp, { services }: Options) {
  const { gdpr, identity } = services;
  app.get(
    '/customers/me/export',
    {
      schema: {
        tags: ['customers'],
        summary: 'Export all your personal data (GDPR Art. 15 and 20)',
        description:
          'Your profile, accounts, transactions and what other parts of the bank hold about you, as one JSON document. Counterparties in transactions are other people: their details stay masked.',
        security: [{ oauth2: [] }],
        querystring: NoQuery,
        response: { 200: PersonalDataExport, ...problemResponses(...apiProblems, ...signedInProblems, 404, 410) },
      },
    },
    async (request, reply) => {
      const customerId = requireCustomer(request);
      const exported = await gdpr.exportPersonalData(customerId);
      if (!exported) throw await missingCustomer(identity, customerId);
      return reply.header('content-disposition', 'attachment; filename="nextgen-personal-data.json"').send(exported);
    },
  );
}

export async function gdprBackofficeRoutes(app: TypeBoxApp, { deps, services }: Options) {
  const { gdpr, backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  app.post(
    '/customers/:id/erasure',
    {
      schema: {
        tags: ['backoffice'],
        summary:
          "Erase a customer's personal data by crypto-shredding (role compliance; four-eyes: answers 202 with the approval to decide)",
        description:
          "Destroys the customer's data key: their name, contact details, identity documents and payees become unreadable everywhere at once, and they can no longer sign in. Refused with 409 `customer_has_open_accounts` while any account is not closed, both when requested and when a second operator approves it. Ledger records stay for the retention period, detached from the person. Idempotent.",
        security: [{ oauth2: [] }],
        params: IdParams('customer'),
        headers: OptionalIdempotencyKeyHeaders,
        querystring: NoQuery,
        body: NoBody,
        response: {
          200: Erasure,
          202: Approval,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const caller = await requireOperatorRole(request, guard, 'compliance');
      const customerId = request.params.id;
      if (caller.automation) return gdpr.eraseCustomer({ customerId, operatorId: caller.operatorId });
      // Checked now so the operator learns at once; checked again when a second operator approves.
      if ((await gdpr.checkErasable(customerId)).state === 'erased') {
        return { customerId, erased: true as const, erasedNow: false };
      }
      const approval = await backoffice.approvals.request({
        action: 'customers.erase',
        subject: { kind: 'customer', id: customerId },
        request: { customerId },
        requestedBy: caller.operatorId,
        idempotencyKey: approvalKeyOf(request, 'erase'),
      });
      return sendApproval(reply, approval);
    },
  );
}
