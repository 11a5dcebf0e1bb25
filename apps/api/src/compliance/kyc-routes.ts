import { Type } from 'typebox';
import type { BackofficeService } from '../backoffice/index.ts';
import {
  Approval,
  approvalKeyOf,
  OptionalIdempotencyKeyHeaders,
  requireOperatorRole,
  sendApproval,
} from '../backoffice/index.ts';
import { requireCustomer } from '../platform/auth.ts';
import { kycDocumentNumberLengthMax, nameLengthMax } from '../platform/constants.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import {
  apiProblems,
  bodyProblems,
  IdParams,
  NoQuery,
  NullableString,
  NullableTimestamp,
  nonBlankTextPattern,
  problemResponses,
  StringEnum,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { KycService } from './kyc.ts';
import { type KycTier, kycTiers } from './limits.ts';

/** KYC: the customer's own verification (/api/v1/me/kyc) and the back office's decisions on it. */
const security = [{ oauth2: [] }];

const countryCode = (description: string) =>
  Type.String({ pattern: '^[A-Z]{2}$', description: `${description} (ISO 3166-1 alpha-2)`, example: 'DE' });
const calendarDate = (description: string) => Type.String({ format: 'date', description, example: '2031-05-31' });
const DocumentTypeSchema = StringEnum(['passport', 'national_id', 'driving_licence', 'residence_permit']);
const RejectionReasonSchema = StringEnum([
  'document_expired',
  'document_unreadable',
  'details_mismatch',
  'underage',
  'not_eligible',
]);

const KycSubmissionBody = Type.Object(
  {
    legalName: Type.String({
      minLength: 1,
      maxLength: nameLengthMax,
      pattern: nonBlankTextPattern,
      description: 'Your name exactly as on the document',
      example: 'Ada Lovelace',
    }),
    documentType: DocumentTypeSchema,
    documentNumber: Type.String({
      minLength: 1,
      maxLength: kycDocumentNumberLengthMax,
      pattern: '^[A-Za-z0-9<-]+$',
      example: 'C01X00T47',
    }),
    issuingCountry: countryCode('Country that issued the document'),
    expiresOn: calendarDate('Expiry date (YYYY-MM-DD); must be after today'),
    dateOfBirth: calendarDate('Date of birth (YYYY-MM-DD)'),
    nationality: countryCode('Nationality'),
  },
  { additionalProperties: false },
);

const MaskedDocument = Type.Object({
  type: DocumentTypeSchema,
  legalName: Type.String({ example: 'A** L*******' }),
  number: Type.String({ description: 'Last four characters only', example: '****0T47' }),
  issuingCountry: Type.String(),
  nationality: Type.String(),
  expiresOn: Type.String(),
  dateOfBirth: Type.String({ description: 'Year only', example: '1990-**-**' }),
});

const SubmissionId = Type.String({
  pattern: idSchemaPattern('kycSubmission'),
  description: 'The submission (one identity document as submitted); a new submission gets a new id',
  example: 'kys_01jf8x3m5n6p7q8r9s0t1v2w3x',
});

const kycViewProperties = {
  submissionId: Type.Union([SubmissionId, Type.Null()]),
  status: StringEnum(['none', 'pending', 'verified', 'rejected']),
  tier: Type.Union([Type.Integer({ minimum: 1, maximum: 3 }), Type.Null()]),
  rejectionReason: Type.Union([RejectionReasonSchema, Type.Null()]),
  submittedAt: NullableTimestamp,
  decidedAt: NullableTimestamp,
  document: Type.Union([MaskedDocument, Type.Null()], {
    description: 'Null before a submission, for customers verified before KYC existed, and after erasure',
  }),
};
const KycView = Type.Object(kycViewProperties);

const KycReview = Type.Object({
  customerId: Type.String(),
  ...kycViewProperties,
  legalNameMatchesProfile: Type.Union([Type.Boolean(), Type.Null()], {
    description:
      "Whether the document's legal name is the customer's profile name (case, accents, titles and word order aside); null without a document. Verification requires true.",
  }),
  decidedBy: NullableString(),
  screening: Type.Union([
    Type.Object({
      outcome: StringEnum(['clear', 'potential_match', 'match']),
      reason: Type.String(),
      screenedAt: NullableTimestamp,
    }),
    Type.Null(),
  ]),
});

const ReviewedSubmission = Type.String({
  pattern: idSchemaPattern('kycSubmission'),
  description:
    'The `submissionId` of the review you decided on: when the customer replaced the document since, the answer is 409 `kyc_submission_replaced`',
  example: 'kys_01jf8x3m5n6p7q8r9s0t1v2w3x',
});
const VerifyBody = Type.Object(
  {
    tier: Type.Integer({ minimum: Math.min(...kycTiers), maximum: Math.max(...kycTiers), description: 'KYC tier' }),
    submissionId: ReviewedSubmission,
  },
  { additionalProperties: false },
);
const RejectBody = Type.Object(
  { reason: RejectionReasonSchema, submissionId: ReviewedSubmission },
  { additionalProperties: false },
);

/** What app.ts hands these routes. */
type Options = RouteOptions<{ readonly kyc: KycService; readonly backoffice: BackofficeService }>;

export async function kycRoutes(app: TypeBoxApp, options: Options) {
  const { kyc } = options.services;

  app.get(
    '/me/kyc',
    {
      schema: {
        tags: ['kyc'],
        summary: 'Your identity verification: status, tier and the document (masked)',
        security,
        querystring: NoQuery,
        response: { 200: KycView, ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => kyc.customerView(requireCustomer(request)),
  );

  app.put(
    '/me/kyc',
    {
      schema: {
        tags: ['kyc'],
        summary: 'Submit your identity document for verification',
        description:
          'Stores the document details encrypted and queues them for review (status `pending`). Submitting again while pending replaces the details; after a rejection you may submit again (except `not_eligible`). Money moves only once the status is `verified`.',
        security,
        querystring: NoQuery,
        body: KycSubmissionBody,
        response: { 200: KycView, ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 409, 422) },
      },
    },
    async (request) => kyc.submit(requireCustomer(request), request.body),
  );
}

export async function kycBackofficeRoutes(app: TypeBoxApp, options: Options) {
  const { kyc, backoffice } = options.services;
  // KYC decisions and the identity data behind them are the compliance role's (least privilege).
  const guard = { config: options.deps.config, operators: backoffice.operators };

  app.get(
    '/customers/:id/kyc',
    {
      schema: {
        tags: ['back office'],
        summary: "A customer's identity verification, with its screening outcome",
        security,
        params: IdParams('customer'),
        querystring: NoQuery,
        response: { 200: KycReview, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => {
      await requireOperatorRole(request, guard, 'compliance');
      return kyc.review(request.params.id);
    },
  );

  app.post(
    '/customers/:id/kyc/verify',
    {
      schema: {
        tags: ['back office'],
        summary:
          'Verify a customer with a tier (or move a verified customer to another tier); role compliance, four-eyes when it raises their limits',
        description:
          'Decides the submission named by `submissionId` (from the review): 409 `kyc_submission_replaced` when the customer submitted another document since, 409 `kyc_name_mismatch` when the legal name on the document is not the profile name. Screens the customer again first: a screening `match` answers 409 `screening_match`. Verifying at the lowest tier and lowering a tier take effect at once; a higher tier than the customer holds (or than the lowest, for a first verification) raises their limits, so a named operator gets 202 with the approval a second operator decides.',
        security,
        params: IdParams('customer'),
        headers: OptionalIdempotencyKeyHeaders,
        querystring: NoQuery,
        body: VerifyBody,
        response: {
          200: KycReview,
          202: Approval,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const operator = await requireOperatorRole(request, guard, 'compliance');
      const customerId = request.params.id;
      const tier = request.body.tier as KycTier;
      const { submissionId } = request.body;
      const decision = { tier, operator: operator.operatorId, submissionId };
      if (operator.automation) return kyc.verify(customerId, decision);
      // Lowering a tier, or a first verification at the lowest tier, takes effect at once (ADR 0042).
      const current = await kyc.review(customerId);
      const standing = current.status === 'verified' && current.tier !== null ? current.tier : Math.min(...kycTiers);
      if (tier <= standing) return kyc.verify(customerId, decision);
      await kyc.checkVerifiable(customerId, submissionId);
      const approval = await backoffice.approvals.request({
        action: 'kyc.verify',
        subject: { kind: 'customer', id: customerId },
        // The submission and standing the requester saw: approving executes only if they are still the same.
        request: { customerId, tier, submissionId, fromStatus: current.status, fromTier: current.tier ?? 0 },
        requestedBy: operator.operatorId,
        idempotencyKey: approvalKeyOf(request, 'kyc-verify'),
      });
      return sendApproval(reply, approval);
    },
  );

  app.post(
    '/customers/:id/kyc/reject',
    {
      schema: {
        tags: ['back office'],
        summary: "Reject a customer's pending verification with a reason code the customer sees",
        description:
          'Decides the submission named by `submissionId` (from the review): 409 `kyc_submission_replaced` when the customer submitted another document since.',
        security,
        params: IdParams('customer'),
        querystring: NoQuery,
        body: RejectBody,
        response: {
          200: KycReview,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409),
        },
      },
    },
    async (request) => {
      const operator = await requireOperatorRole(request, guard, 'compliance');
      const { reason, submissionId } = request.body;
      return kyc.reject(request.params.id, { reason, submissionId, operator: operator.operatorId });
    },
  );
}
