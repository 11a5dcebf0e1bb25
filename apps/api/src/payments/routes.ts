import { type Static, Type } from 'typebox';
import { StepUpProofSchema } from '../identity/index.ts';
import { parseAmountInput } from '../platform/amounts.ts';
import { requireCustomer } from '../platform/auth.ts';
import { ibanInputLengthMax, referenceLengthMax } from '../platform/constants.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { idempotencyKeyFor, sendStored } from '../platform/idempotency.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import {
  ApiMoney,
  ApiMoneyInput,
  apiProblems,
  bodyProblems,
  IdempotencyKeyHeader,
  IdParams,
  NoQuery,
  NullableString,
  NullableTimestamp,
  printableTextPattern,
  problemResponses,
  StringEnum,
  signedInProblems,
  Timestamp,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import { parseIban } from './iban-input.ts';
import type { PayeesService } from './payees.ts';
import { payeesRoutes } from './payees-routes.ts';
import type { PaymentsService, TransferTo } from './service.ts';

const security = [{ oauth2: [] }];

/**
 * posted; held for a fraud analyst's review (202 on POST), then posted or rejected (docs/adr/0131).
 * Its static type stays `string` because transferView's status comes from the database row.
 */
const TransferStatus = Type.Unsafe<string>(StringEnum(['posted', 'held', 'rejected', 'reversed']));

/** Why a transfer was held, in words safe for the customer; the app translates `reason`. */
const TransferReview = Type.Object({
  status: StringEnum(['pending', 'approved', 'rejected']),
  reason: StringEnum([
    'unusual_amount',
    'new_payee',
    'new_device',
    'many_payments',
    'money_in_then_out',
    'unusual_activity',
  ]),
  message: Type.String(),
});

export const Transfer = Type.Object({
  id: Type.String({ example: 'trf_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  status: TransferStatus,
  fromAccountId: Type.String(),
  toAccountId: NullableString({ description: 'Only when the payee account is the sender’s own' }),
  amount: ApiMoney,
  reference: Type.String(),
  counterparty: Type.Object({ name: Type.String({ example: 'J*** D**' }), maskedIban: Type.String() }),
  createdAt: Timestamp,
  postedAt: NullableTimestamp,
  review: Type.Optional({
    ...TransferReview,
    description: 'Only for a transfer held for review: why, and where the review stands',
  }),
});

const OwnAccountPayee = Type.Object(
  { accountId: Type.String({ pattern: idSchemaPattern('account') }) },
  { additionalProperties: false },
);
const IbanPayee = Type.Object(
  { iban: Type.String({ minLength: 1, maxLength: ibanInputLengthMax }) },
  { additionalProperties: false },
);
const SavedPayee = Type.Object(
  {
    payeeId: Type.String({
      pattern: idSchemaPattern('payee'),
      description: 'One of your saved payees (GET /api/v1/payees): paid at the IBAN saved with it',
    }),
  },
  { additionalProperties: false },
);
/** Exactly one payee form, as `oneOf` (TypeBox's Union writes anyOf, whose error text clients do not know). */
const Payee = Type.Unsafe<Static<typeof OwnAccountPayee> | Static<typeof IbanPayee> | Static<typeof SavedPayee>>({
  oneOf: [OwnAccountPayee, IbanPayee, SavedPayee],
});

const TransferBody = Type.Object(
  {
    fromAccountId: Type.String({ pattern: idSchemaPattern('account') }),
    to: Payee,
    amount: ApiMoneyInput,
    reference: Type.Optional(
      Type.String({ maxLength: referenceLengthMax, pattern: printableTextPattern, default: '' }),
    ),
    stepUp: Type.Optional({
      ...StepUpProofSchema,
      description:
        'Your passkey approval, after a 403 step_up_required answer: its `stepUp.challengeId` and the assertion your passkey made over `stepUp.publicKey`.',
    }),
  },
  { additionalProperties: false },
);

/** What app.ts hands these routes. */
type Options = RouteOptions<{ readonly payments: PaymentsService; readonly payees: PayeesService }>;

/**
 * The payee as the service takes it: the IBAN normalised (a 400 when it is not one), or a saved
 * payee's stored IBAN read here, where both services are at hand (undefined: no such payee of theirs).
 */
async function transferTo(payees: PayeesService, customerId: string, to: Static<typeof Payee>): Promise<TransferTo> {
  if ('iban' in to) return { iban: parseIban(to.iban, '/body/to/iban') };
  if ('payeeId' in to) return { payeeId: to.payeeId, payeeIban: await payees.payeeIban(customerId, to.payeeId) };
  return { accountId: to.accountId };
}

export async function paymentsRoutes(app: TypeBoxApp, options: Options) {
  const { payments, payees } = options.services;
  await payeesRoutes(app, options);

  app.post(
    '/transfers',
    {
      schema: {
        tags: ['transfers'],
        summary: 'Transfer money to an own account, or to another customer by IBAN or saved payee',
        description:
          '`to` is exactly one of `{ accountId }` (an own account), `{ iban }` or `{ payeeId }` (one of your saved payees, paid exactly as its saved IBAN would be; someone else’s or a deleted one is 404 payee_not_found). ' +
          'Requires an Idempotency-Key header. A retry with the same key and body returns the stored response with `Idempotent-Replayed: true`; the same key with another body is refused with 422 idempotency_key_reused. ' +
          'A transfer the fraud checks hold for review answers 202 with `status: held` and a customer-safe `review.reason`: the money is reserved and sent only once the bank approves it. A transfer to another customer above the step-up threshold of its currency, one that takes your payments to others without approval in the last 24 hours past that threshold, to an account you never paid before, or flagged by risk checks answers 403 `step_up_required` with a passkey challenge in `stepUp`, bound to the amount, currency, payee and the account debited; approve it with a passkey and send the same request with the same key and `stepUp: { challengeId, assertion }`. `stepUp` is not part of what the key identifies.',
        security,
        headers: IdempotencyKeyHeader,
        querystring: NoQuery,
        body: TransferBody,
        response: {
          201: Transfer,
          202: {
            ...Transfer,
            description:
              'Held for review: the amount is reserved on your account, not sent; `review` says why. GET /api/v1/transfers/{id} shows when it is posted or rejected.',
          },
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const customerId = requireCustomer(request);
      const { stepUp, ...payment } = request.body;
      const idempotency = idempotencyKeyFor(request, `customer:${customerId}`, payment);
      const body = request.body;
      const amountMinor = parseAmountInput(body.amount.amount, body.amount.currency, '/body/amount/amount');
      const input = {
        fromAccountId: body.fromAccountId,
        to: await transferTo(payees, customerId, body.to),
        amountMinor,
        currency: body.amount.currency,
        // Ajv fills the default ''; the static type cannot know that.
        reference: body.reference ?? '',
        stepUp,
        // The device: the key the token is bound to, which signed this request's DPoP proof.
        deviceKeyThumbprint: request.principal?.keyThumbprint,
      };
      return sendStored(reply, await payments.createTransfer(customerId, input, idempotency));
    },
  );

  app.get(
    '/transfers/:id',
    {
      schema: {
        tags: ['transfers'],
        summary: 'One of the caller’s transfers',
        security,
        params: IdParams('transfer'),
        querystring: NoQuery,
        response: { 200: Transfer, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => payments.getTransfer(requireCustomer(request), request.params.id),
  );
}
