import { Type } from 'typebox';
import { nameLengthMax, searchTextLengthMax } from '../platform/constants.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import { type Currency, currencies, toApiMoney } from '../platform/money.ts';
import {
  ApiMoney,
  humanNamePattern,
  NullableString,
  NullableTimestamp,
  pageQueryProperties,
  printableTextPattern,
  StringEnum,
  Timestamp,
} from '../platform/schemas.ts';
import { lineStatusReasons } from './history.ts';

/**
 * The accounts module's own API shapes (accounts and transaction history). Shapes every module
 * shares live in platform/schemas.ts, the keyset cursors of its lists in platform/cursors.ts.
 */
export const apiMoney = (amountMinor: bigint, currency: Currency) => toApiMoney(amountMinor, currency);

// ---- Accounts ----------------------------------------------------------------------------------

const AccountType = StringEnum(['checking', 'savings']);

const accountProperties = {
  id: Type.String({ example: 'acc_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  type: AccountType,
  name: Type.String(),
  currency: StringEnum(currencies),
  maskedIban: Type.String({ example: 'DE** **** **** **** **30 00' }),
  status: StringEnum(['open', 'frozen', 'closed']),
  balance: ApiMoney,
  availableBalance: ApiMoney,
  overdraftLimit: ApiMoney,
  createdAt: Timestamp,
};

/** An account in a list or on its own: the IBAN masked; the full one only through the reveal endpoint. */
export const AccountListItem = Type.Object(accountProperties);

export const Account = AccountListItem;

/** The answer to opening an account: the only time the full IBAN comes without a step-up (docs/adr/0026). */
export const OpenedAccount = Type.Object({
  ...accountProperties,
  iban: Type.String({ example: 'DE89370400440532013000' }),
});

/** The reveal endpoint's answer: the full IBAN, after a fresh passkey approval. */
export const RevealedAccount = Type.Object({
  id: Type.String({ example: 'acc_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  iban: Type.String({ example: 'DE89370400440532013000' }),
});

/** A name a person typed: printable (platform/schemas.ts), no leading or trailing spaces. */
const AccountName = Type.String({
  minLength: 1,
  maxLength: nameLengthMax,
  pattern: humanNamePattern,
});

export const OpenAccountBody = Type.Object(
  { type: AccountType, currency: StringEnum(currencies), name: Type.Optional(AccountName) },
  { additionalProperties: false },
);

// ---- Transaction history -----------------------------------------------------------------------

const Direction = StringEnum(['credit', 'debit']);
const LineStatus = StringEnum(['pending', 'posted', 'voided', 'reversed']);
/**
 * `'review_rejected' | null`, written as NullableString is (one `type` list, no anyOf: the history is
 * the longest list we serve); the enum names null too, so the OpenAPI types carry the union.
 */
const LineStatusReason = Type.Unsafe<(typeof lineStatusReasons)[number] | null>({
  type: ['string', 'null'],
  enum: [...lineStatusReasons, null],
  description:
    'Why the line ended as it did, when the bank knows; null otherwise. `review_rejected`: a payment held ' +
    'for a fraud review that the bank declined after the review (status `voided`, no money moved). More ' +
    'values will be added: treat one you do not know as null.',
});
/** An absolute amount in major units; the handler compares the two bounds, the database the rows. */
const decimalAmountPattern = '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$';

export const TransactionsQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String({ pattern: idSchemaPattern('account') })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after (ISO 8601)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or before (ISO 8601)' })),
    minAmount: Type.Optional(Type.String({ pattern: decimalAmountPattern, example: '10.00' })),
    maxAmount: Type.Optional(Type.String({ pattern: decimalAmountPattern, example: '250.00' })),
    status: Type.Optional(LineStatus),
    direction: Type.Optional(Direction),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: searchTextLengthMax,
        pattern: printableTextPattern,
        description: 'Text in the description (counterparty names are shown masked and not searched)',
      }),
    ),
    ...pageQueryProperties,
  },
  { additionalProperties: false },
);

export const Transaction = Type.Object({
  id: Type.String({ example: 'txn_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  accountId: Type.String(),
  direction: Direction,
  amount: ApiMoney,
  balanceAfter: Type.Union([ApiMoney, Type.Null()]),
  status: LineStatus,
  statusReason: LineStatusReason,
  description: Type.String(),
  counterparty: Type.Union([
    Type.Object({ name: Type.String({ example: 'J*** D**' }), maskedIban: Type.String() }),
    Type.Null(),
  ]),
  category: NullableString(),
  createdAt: Timestamp,
  postedAt: NullableTimestamp,
});
