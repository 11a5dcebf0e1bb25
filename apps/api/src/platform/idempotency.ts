import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { idempotencyKeyLengthMax } from './constants.ts';
import type { Queryable } from './database.ts';
import { assert, badRequest, DomainError } from './errors.ts';
import { type Problem, sendProblem } from './problem.ts';
import { idempotencyKeyReused } from './problems.ts';

/**
 * Idempotency (ARCHITECTURE.md §2, Stripe's model): a money-moving request carries an
 * Idempotency-Key; the key, a hash of the request and the response are stored in the transaction
 * that moves the money, so a retry gets the stored answer and never moves money twice.
 */
export interface IdempotencyKey {
  /** Whose key: `customer:cus_…` or `operator:<client id>`; keys never collide across callers. */
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
}

/** What a request answered, as stored and replayed. Problems are stored without their traceId. */
export interface StoredResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const keyPattern = new RegExp(`^[\\x21-\\x7e]{1,${idempotencyKeyLengthMax}}$`);

/** Reads the Idempotency-Key header: required, 1-255 visible ASCII characters. */
export function readIdempotencyKey(request: FastifyRequest): string {
  const value = request.headers['idempotency-key'];
  if (value === undefined) {
    throw badRequest(
      'idempotency_key_missing',
      'Send an Idempotency-Key header (for example a UUID) so a retried request can never move money twice.',
      { errors: [{ pointer: '/headers/idempotency-key', detail: 'is required' }] },
    );
  }
  if (typeof value !== 'string' || !keyPattern.test(value)) {
    throw badRequest(
      'idempotency_key_invalid',
      `The Idempotency-Key header must be 1 to ${idempotencyKeyLengthMax} visible ASCII characters, such as a UUID.`,
      {
        errors: [
          {
            pointer: '/headers/idempotency-key',
            detail: `must be 1-${idempotencyKeyLengthMax} visible ASCII characters`,
          },
        ],
      },
    );
  }
  return value;
}

/** JSON with object keys sorted at every level, so equal requests hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([method.toUpperCase(), path, body ?? null]))
    .digest('hex');
}

/**
 * `body` is what the key stands for, when not the whole body: a transfer's hash leaves out its
 * `stepUp` approval, so the resubmission with an approval is the same request (docs/adr/0024).
 */
export function idempotencyKeyFor(
  request: FastifyRequest,
  scope: string,
  body: unknown = request.body,
): IdempotencyKey {
  const key = readIdempotencyKey(request);
  const path = request.url.split('?')[0] ?? request.url;
  return { scope, key, requestHash: requestHash(request.method, path, body) };
}

export interface StoredAnswer {
  readonly requestHash: string;
  readonly response: StoredResponse;
}

export async function findStoredResponse(
  db: Queryable,
  idempotency: IdempotencyKey,
): Promise<StoredAnswer | undefined> {
  const { rows } = await db.query<{
    request_hash: string;
    response_status: number;
    response_body: Record<string, unknown>;
  }>('SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2', [
    idempotency.scope,
    idempotency.key,
  ]);
  const row = rows[0];
  return row && { requestHash: row.request_hash, response: { status: row.response_status, body: row.response_body } };
}

/** One key's identity across scopes (neither a scope nor a key contains a newline). */
export const flightKey = (idempotency: IdempotencyKey) => `${idempotency.scope}\n${idempotency.key}`;

/**
 * Whether an answer is definite, so it may be stored under a key and replayed: anything below 500.
 * A 5xx (the database restarting, a lock or statement timeout, a full queue) says nothing happened
 * that the client can rely on and asks it to retry with the same key; stored, it would answer every
 * retry with the same failure forever. The table refuses such rows too (migration 0060).
 */
export const isDefiniteAnswer = (response: { readonly status: number }): boolean => response.status < 500;

/**
 * The catch-all around a domain outcome found before posting: a definite DomainError is the
 * answer to store; anything else (a transient 503, a programmer error) is rethrown, answered with
 * its own headers (Retry-After) and leaves the key free.
 */
export function definiteError(error: unknown): DomainError {
  if (error instanceof DomainError && isDefiniteAnswer(error)) return error;
  throw error;
}

/** Stores a definite response unless the key is already taken; true when this call stored it. */
export async function storeResponse(
  db: Queryable,
  idempotency: IdempotencyKey,
  response: StoredResponse,
): Promise<boolean> {
  assert(isDefiniteAnswer(response), 'only a definite answer (status < 500) is stored under an Idempotency-Key');
  const { rowCount } = await db.query(
    `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
     VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (scope, key) DO NOTHING`,
    [idempotency.scope, idempotency.key, idempotency.requestHash, response.status, JSON.stringify(response.body)],
  );
  return rowCount === 1;
}

/** The stored answer for a retry with the same key, or 422 when the request differs. */
export function replay(stored: StoredAnswer, idempotency: IdempotencyKey) {
  if (stored.requestHash !== idempotency.requestHash) throw idempotencyKeyReused();
  return { response: stored.response, replayed: true };
}

export function problemResponse(error: DomainError): StoredResponse {
  const body: Record<string, unknown> = {
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    ...(Object.keys(error.extensions).length > 0 ? { extensions: error.extensions } : {}),
  };
  return { status: error.status, body };
}

/** Sends a stored (or just stored) response the same way every time, so a replay is identical. */
export function sendStored(reply: FastifyReply, result: { response: StoredResponse; replayed: boolean }) {
  const headers: Record<string, string> = result.replayed ? { 'idempotent-replayed': 'true' } : {};
  const { status, body } = result.response;
  if (status >= 400) return sendProblem(reply, body as unknown as Problem, headers);
  return reply.code(status).headers(headers).send(body);
}
