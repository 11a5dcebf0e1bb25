import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { type TSchema, type TSchemaOptions, type TStringOptions, Type } from 'typebox';
import { amountTextLengthMax, bodyLimitBytes, cursorLengthMax, pageLimitDefault, pageLimitMax } from './constants.ts';
import { type IdKind, idSchemaPattern } from './ids.ts';
import { currencies } from './money.ts';

/**
 * Route schemas every module shares, written with TypeBox. Each is plain JSON Schema: the same
 * object validates the request (platform/validation.ts keeps Ajv and its error pointers), types the
 * handler and writes /openapi.json, so the three cannot drift apart.
 */

/** What route plugins receive: their schemas type each handler's params, query, headers, body and reply. */
export type TypeBoxApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

// ---- Building blocks ---------------------------------------------------------------------------

/**
 * What no human-readable field (names, references, descriptions, reasons, labels) may hold: control
 * characters (they corrupt statements and downstream files; PostgreSQL refuses NUL), format
 * characters (U+202E right-to-left override, U+200B zero-width space, U+FEFF: text that displays as
 * something other than what it is, to a customer, an operator or a payee check) and lone surrogate
 * halves (not Unicode; PostgreSQL's JSON refuses them). Every route uses one of the three patterns
 * below (test/human-text.test.ts walks /openapi.json to hold them to it).
 */
const notText = '\\p{Cc}\\p{Cf}\\p{Cs}';
/** Printable text, possibly empty (bound it with minLength). */
export const printableTextPattern = `^[^${notText}]*$`;
/** Printable text with at least one character that is not a space. */
export const nonBlankTextPattern = `^[^${notText}]*[^${notText}\\s][^${notText}]*$`;
/** A name a person typed: printable, not blank at either end. */
export const humanNamePattern = `^[^${notText}\\s](?:[^${notText}]*[^${notText}\\s])?$`;

/**
 * `string | null` written as `type: ['string', 'null']` rather than TypeBox's anyOf: the response
 * serialiser writes it in one step instead of trying each branch, on the longest lists we serve.
 */
export const NullableString = (options: TStringOptions = {}) =>
  Type.Unsafe<string | null>({ ...options, type: ['string', 'null'] });

/** A closed set of strings as `{ type: 'string', enum }`: TypeBox's Enum alone omits the type. */
export const StringEnum = <const Values extends string[]>(values: readonly [...Values], options: TSchemaOptions = {}) =>
  Type.Enum(values, { ...options, type: 'string' });

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = NullableString({ format: 'date-time' });

/** Path parameters of a route about one resource: `{ id }`, shaped like an id of `kind`. */
export const IdParams = (kind: IdKind) =>
  Type.Object({ id: Type.String({ pattern: idSchemaPattern(kind) }) }, { additionalProperties: false });

/** A route that takes no query parameters says so: an unknown one is a 400, never silently ignored. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * The body of an action that needs no input (freeze, close): none at all, `{}` or `null`. Any
 * field is a 400, so a client never believes an ignored field (a reason, say) was recorded.
 */
export const NoBody = Type.Unsafe<Record<string, never> | null>({
  type: ['object', 'null'],
  additionalProperties: false,
  description: 'No input: send no body, or {}',
});

// ---- Money -------------------------------------------------------------------------------------

/** An amount the API shows: a decimal string in major units and its currency, never a JSON number. */
export const ApiMoney = Type.Object(
  {
    amount: Type.String({ description: 'Decimal string in major units', example: '12.34' }),
    currency: StringEnum(currencies, { description: 'ISO 4217 code' }),
  },
  { additionalProperties: false },
);

/** An amount a client sends: the text is parsed by the handler so each mistake gets its own code. */
export const ApiMoneyInput = Type.Object(
  {
    amount: Type.String({ minLength: 1, maxLength: amountTextLengthMax, example: '12.34' }),
    currency: StringEnum(currencies),
  },
  { additionalProperties: false },
);

// ---- Money movement ----------------------------------------------------------------------------

/**
 * The Idempotency-Key header of every request that moves money. Optional here on purpose: the
 * handler reads it (payments/idempotency.ts) so a missing or malformed key gets its own `code`.
 */
export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description: 'Required. 1-255 visible ASCII characters, unique per money movement; retries reuse it.',
    }),
  ),
});

// ---- Lists -------------------------------------------------------------------------------------

/** The query parameters of every cursor-paginated list; spread them into the list's query schema. */
export const pageQueryProperties = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: pageLimitMax, default: pageLimitDefault })),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: cursorLengthMax, description: 'nextCursor of the previous page' }),
  ),
};

/** One page of a newest-first list. */
export const Page = <Item extends TSchema>(item: Item) =>
  Type.Object({
    data: Type.Array(item),
    nextCursor: NullableString({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  });

// ---- Problems ----------------------------------------------------------------------------------

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    traceId: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            pointer: Type.Optional(Type.String()),
            detail: Type.Optional(Type.String()),
            rule: Type.Optional(Type.String()),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details with a stable machine `code`' },
);

const problemMeanings = {
  400: 'The request is invalid: `code` says how and `errors[]` points at each field.',
  401: 'No valid access token (see WWW-Authenticate). Sign in again.',
  403: 'This caller may not do this.',
  404: 'No such resource among the caller’s.',
  409: 'The resource’s state does not allow this now.',
  410: 'The customer’s personal data was erased (GDPR): it can no longer be shown or changed.',
  413: `The body is larger than ${bodyLimitBytes / 1024} KiB.`,
  415: 'The body is not application/json.',
  422: 'Understood but refused: `code` says why.',
  429: 'Too many requests: wait for Retry-After.',
  500: 'Our fault: try again; if it persists, contact support with the traceId.',
  503: 'A dependency is briefly unavailable: try again after Retry-After.',
} as const;
export type ProblemStatus = keyof typeof problemMeanings;

/** Statuses any API route can answer: bad input, rate limit, our fault, a dependency briefly down. */
export const apiProblems = [400, 429, 500, 503] as const;
/** Statuses of a route that needs a token: none or a bad one (401), the wrong kind of caller (403). */
export const signedInProblems = [401, 403] as const;
/** Statuses of a route that reads a body: too large (413), not JSON (415). */
export const bodyProblems = [413, 415] as const;

interface ProblemResponse {
  readonly description: string;
  readonly content: { readonly 'application/problem+json': { readonly schema: typeof Problem } };
}

/** application/problem+json responses for exactly the given statuses, for a route's `response`. */
export function problemResponses<const Statuses extends readonly ProblemStatus[]>(
  ...statuses: Statuses
): { readonly [Status in Statuses[number]]: ProblemResponse } {
  const sorted = [...new Set(statuses)].sort((a, b) => a - b);
  const response = (status: ProblemStatus): ProblemResponse => ({
    description: problemMeanings[status],
    content: { 'application/problem+json': { schema: Problem } },
  });
  return Object.fromEntries(sorted.map((status) => [status, response(status)])) as {
    [Status in Statuses[number]]: ProblemResponse;
  };
}
