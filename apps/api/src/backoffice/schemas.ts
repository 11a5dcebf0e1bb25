import { Type } from 'typebox';
import { approvalActions } from '../platform/approvals.ts';
import {
  approvalReasonLengthMax,
  auditPageLimitDefault,
  auditPageLimitMax,
  auditSubjectIdLengthMax,
  auditSubjectKindLengthMax,
  descriptionLengthMax,
} from '../platform/constants.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import {
  ApiMoney,
  ApiMoneyInput,
  NullableString,
  NullableTimestamp,
  printableTextPattern,
  StringEnum,
  Timestamp,
} from '../platform/schemas.ts';

/** Schemas of the back-office API (/backoffice/v1); they validate requests and write the OpenAPI document. */
export const security = [{ oauth2: [] }];

export const Credit = Type.Object({
  id: Type.String({ description: 'The journal entry id', example: 'jnl_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  status: StringEnum(['posted']),
  accountId: Type.String(),
  amount: ApiMoney,
  description: Type.String(),
  balanceAfter: Type.Union([ApiMoney, Type.Null()]),
  createdAt: Timestamp,
  postedAt: NullableTimestamp,
});

export const CreditBody = Type.Object(
  {
    accountId: Type.String({ pattern: idSchemaPattern('account') }),
    amount: ApiMoneyInput,
    description: Type.String({ minLength: 1, maxLength: descriptionLengthMax, pattern: printableTextPattern }),
  },
  { additionalProperties: false },
);

export const BankFreeze = Type.Object({ id: Type.String(), status: StringEnum(['open', 'frozen', 'closed']) });

export const BackofficeAccount = Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  currency: Type.String(),
  status: StringEnum(['open', 'frozen', 'closed']),
  ibanLast4: Type.String({ description: 'The last four characters of the IBAN; the full IBAN is never shown here' }),
});

const DetailValue = Type.Union([Type.String(), Type.Integer(), Type.Boolean()]);

export const Approval = Type.Object({
  id: Type.String({ example: 'apr_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  action: StringEnum([...approvalActions]),
  status: StringEnum(['pending', 'executed', 'failed', 'rejected', 'expired']),
  subject: Type.Object({ kind: Type.String(), id: Type.String() }),
  request: Type.Record(Type.String(), DetailValue, { description: 'Exactly what approving executes' }),
  requestedBy: Type.String({ description: 'The requesting operator' }),
  requestedAt: Timestamp,
  expiresAt: Timestamp,
  decidedBy: NullableString(),
  decidedAt: NullableTimestamp,
  reason: NullableString(),
  outcome: Type.Union([
    Type.Object({
      status: Type.Integer({ description: 'What executing the action answered' }),
      resultId: Type.Optional(Type.String()),
      code: Type.Optional(Type.String({ description: 'The problem code when the execution was refused' })),
    }),
    Type.Null(),
  ]),
});

export const RejectBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: approvalReasonLengthMax, pattern: printableTextPattern }),
  },
  { additionalProperties: false },
);

export const AuditRecord = Type.Object({
  id: Type.String(),
  position: Type.String({ description: 'Position in the hash chain' }),
  occurredAt: Timestamp,
  action: Type.String(),
  actor: Type.Object({ kind: Type.String(), id: Type.String() }),
  subject: Type.Union([Type.Object({ kind: Type.String(), id: Type.String() }), Type.Null()]),
  details: Type.Record(Type.String(), DetailValue),
});

export const AuditQuery = Type.Object(
  {
    subjectKind: Type.String({ pattern: `^[a-z_]{1,${auditSubjectKindLengthMax}}$` }),
    subjectId: Type.String({ pattern: `^[A-Za-z0-9_-]{1,${auditSubjectIdLengthMax}}$` }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: auditPageLimitMax, default: auditPageLimitDefault })),
  },
  { additionalProperties: false },
);
