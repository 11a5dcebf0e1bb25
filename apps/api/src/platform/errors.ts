/**
 * Domain errors are values the edge turns into RFC 9457 problem+json. Code that detects a client
 * mistake or a business rule throws a DomainError with a stable machine `code`; the one error
 * handler in app.ts renders it. Programmer errors are plain Errors and become a generic 500.
 */

export interface FieldProblem {
  /** JSON pointer into the request, e.g. "/body/amount" or "/query/limit". */
  readonly pointer: string;
  readonly detail: string;
}

export interface ProblemOptions {
  readonly errors?: readonly FieldProblem[];
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra members rendered into the problem document (must hold no personal data). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export class DomainError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: readonly FieldProblem[];
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(status: number, code: string, title: string, detail: string, options: ProblemOptions = {}) {
    super(detail);
    this.name = 'DomainError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.errors = options.errors ?? [];
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export const badRequest = (code: string, detail: string, options?: ProblemOptions) =>
  new DomainError(400, code, 'Bad request', detail, options);
export const unauthorized = (code: string, detail: string, options?: ProblemOptions) =>
  new DomainError(401, code, 'Unauthorized', detail, options);
export const forbidden = (code: string, detail: string) => new DomainError(403, code, 'Forbidden', detail);
export const notFound = (code: string, detail: string) => new DomainError(404, code, 'Not found', detail);
export const conflict = (code: string, detail: string, options?: ProblemOptions) =>
  new DomainError(409, code, 'Conflict', detail, options);
export const unprocessable = (code: string, detail: string, options?: ProblemOptions) =>
  new DomainError(422, code, 'Unprocessable request', detail, options);
export const tooManyRequests = (detail: string, retryAfterS: number, headers: Record<string, string> = {}) =>
  new DomainError(429, 'rate_limited', 'Too many requests', detail, {
    headers: { 'retry-after': String(retryAfterS), ...headers },
  });

/**
 * A dependency (PostgreSQL, Redis) is down or too slow. The request changed nothing the client can
 * rely on; it is safe to retry after the pause, with the same Idempotency-Key for money movement.
 */
/**
 * Answer when more payments wait than the queues hold: 503, retry with the same Idempotency-Key.
 */
export const paymentsBusy = () =>
  new DomainError(
    503,
    'service_busy',
    'Service busy',
    'We are receiving more payments than we can process right now. Retry in a few seconds with the same Idempotency-Key.',
    { headers: { 'retry-after': '1' } },
  );

export class DependencyUnavailable extends DomainError {
  constructor(dependency: 'database' | 'cache' | 'kms', cause?: unknown) {
    super(
      503,
      'service_unavailable',
      'Service temporarily unavailable',
      'The service is briefly unavailable. Please try again in a few seconds; payments retried with the same Idempotency-Key are never applied twice.',
      { headers: { 'retry-after': '2' } },
    );
    this.cause = cause;
    this.dependencyName = dependency;
  }
  readonly dependencyName: 'database' | 'cache' | 'kms';
}

/** An invariant broke: a programmer error. Crash the request loudly, never continue silently. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
