import { cursorLengthMax, pageLimitDefault, pageLimitMax } from '../platform/constants.ts';
import { badRequest } from '../platform/errors.ts';
import { type Currency, currencies, toApiMoney } from '../platform/money.ts';

/**
 * JSON schemas the banking routes share (accounts, transfers, history, back office). They validate
 * requests and describe every response status in /openapi.json.
 */
export const moneySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'currency'],
  properties: {
    amount: { type: 'string', description: 'Decimal string in major units', example: '12.34' },
    currency: { type: 'string', enum: currencies, description: 'ISO 4217 code' },
  },
} as const;

/** An amount a client sends: the text is parsed by the handler so each mistake gets its own code. */
export const moneyInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'currency'],
  properties: {
    amount: { type: 'string', minLength: 1, maxLength: 40, example: '12.34' },
    currency: { type: 'string', enum: currencies },
  },
} as const;

export const timestampSchema = { type: 'string', format: 'date-time' } as const;
export const nullableTimestampSchema = { type: ['string', 'null'], format: 'date-time' } as const;

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details with a stable machine `code`',
  additionalProperties: true,
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    traceId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
} as const;

/** Problem responses for the given statuses plus those any route can answer. */
export function problemResponses(...statuses: number[]): Record<number, typeof problemSchema> {
  const all = new Set([400, 401, 429, 500, 503, ...statuses]);
  return Object.fromEntries([...all].sort().map((status) => [status, problemSchema]));
}

export const idempotencyHeaderSchema = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description: 'Required. 1-255 visible ASCII characters, unique per money movement; retries reuse it.',
    },
  },
} as const;

export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: pageLimitMax, default: pageLimitDefault },
  cursor: { type: 'string', minLength: 1, maxLength: cursorLengthMax, description: 'nextCursor of the previous page' },
} as const;

export const apiMoney = (amountMinor: bigint, currency: Currency) => toApiMoney(amountMinor, currency);

// ---- Keyset cursors ----------------------------------------------------------------------------

/** A position in a newest-first list: the last row's creation time (microseconds, UTC) and id. */
export interface Cursor {
  readonly createdAt: string;
  readonly id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url');
}

const cursorPattern = /^((?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})\|([a-z]{3}_[0-9a-hjkmnp-tv-z]{26})$/;

/** Decodes a cursor this API issued; anything else is a 400 the client can act on. */
export function decodeCursor(text: string): Cursor {
  const match = cursorPattern.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const [, seconds, micros, id] = match ?? [];
  const roundTrips = seconds !== undefined && new Date(`${seconds}Z`).toISOString().slice(0, 19) === seconds;
  if (!seconds || !micros || !id || !roundTrips) {
    throw badRequest('invalid_cursor', 'The cursor is not one this API issued. Start again without a cursor.', {
      errors: [{ pointer: '/query/cursor', detail: 'is not a valid cursor' }],
    });
  }
  return { createdAt: `${seconds}.${micros}`, id };
}
